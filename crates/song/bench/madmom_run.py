"""Run madmom's beat and downbeat trackers on one file; print JSON {beats, downbeats}.

Run with the interpreter of a virtualenv that has madmom 0.16.1 (see evaluate.py --madmom-python):
madmom 0.16.1 is the newest on PyPI and predates Python 3.10 and NumPy 1.24, so the aliases it uses
are put back before it is imported.
"""
import collections
import collections.abc
import json
import sys

for _name in ("MutableSequence", "Iterable", "Sequence", "Mapping"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
import numpy as np

for _name, _type in (("float", float), ("int", int), ("bool", bool), ("complex", complex), ("object", object)):
    if _name not in np.__dict__:
        setattr(np, _name, _type)

from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor
from madmom.features.downbeats import DBNDownBeatTrackingProcessor, RNNDownBeatProcessor

path = sys.argv[1]
beats = DBNBeatTrackingProcessor(fps=100)(RNNBeatProcessor()(path))
act = RNNDownBeatProcessor()(path)
bars = DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100)(act)
downbeats = [float(t) for t, pos in bars if int(pos) == 1]
print(json.dumps({"beats": [float(b) for b in beats], "downbeats": downbeats}))
