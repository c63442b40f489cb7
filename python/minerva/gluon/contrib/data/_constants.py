"""Tokens the text datasets use."""

EOS_TOKEN = "<eos>"
