"""mx.sym.contrib functions without a registered operator: boolean_mask's output shape depends on
the mask's values, which a symbol's shape inference cannot know, so it is imperative only
(mx.nd.contrib.boolean_mask) and the symbolic form says so."""
from ..base import MXNetError


def boolean_mask(data=None, index=None, axis=0, name=None, attr=None, out=None, **kwargs):
    """Imperative only in Minerva: raises MXNetError (use mx.nd.contrib.boolean_mask)."""
    raise MXNetError("mx.sym.contrib.boolean_mask: the output shape depends on the mask's values, which symbolic "
                     "shape inference cannot know; Minerva runs boolean_mask imperatively only "
                     "(mx.nd.contrib.boolean_mask, also inside autograd.record)")
