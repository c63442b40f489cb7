"""``mx.gluon.data``: datasets, samplers and the DataLoader."""
from . import dataloader, dataset, sampler, vision  # noqa: F401
from .dataloader import DataLoader  # noqa: F401
from .dataset import ArrayDataset, Dataset, SimpleDataset  # noqa: F401
from .sampler import BatchSampler, FilterSampler, RandomSampler, Sampler, SequentialSampler  # noqa: F401
