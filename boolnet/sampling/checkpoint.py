"""Checkpoints of a sampling run: the counts of the blocks done so far, saved atomically.

A sampler checkpoint (about 24 bytes per distinct function) holds the run's
options (its *fingerprint*: architecture, activation, prior, sigmas, encoding,
bias, seed, samples, stream version), the number of samples done (always a whole
number of blocks, or all of them) and the packed truth tables with their counts.
It is one kind of boolnet's one checkpoint format (:class:`boolnet.io.checkpoint.Checkpoint`:
atomic writes, fingerprint check, clean-up, :meth:`~boolnet.io.checkpoint.Checkpoint.save_elsewhere`).
"""

from __future__ import annotations

import numpy as np

from boolnet.io.checkpoint import Checkpoint

CHECKPOINT_FORMAT = "boolnet-sample-checkpoint 1"


class SampleCheckpoint(Checkpoint):
    """Atomic save and checked load of ``(samples done, counts)`` for one sampler run's options.

    :meth:`load` returns ``(done, words, counts)``; :meth:`save` takes a
    :class:`~boolnet.sampling.counts.Counts`.
    """

    format = CHECKPOINT_FORMAT
    kind = "boolnet"
    arrays = ("done", "words", "counts")

    def _arrays(self, done: int, results) -> dict:
        words, counts = results.entries()
        return {"done": np.int64(done), "words": words, "counts": counts}

    def _state(self, saved: dict, arrays: dict) -> tuple:
        done, words, counts = int(arrays["done"]), arrays["words"], arrays["counts"]
        # A conditioned run (``fit`` in its options) counts only the accepted samples: at most the samples done.
        conditioned = "fit" in saved
        if (words.ndim != 2 or words.shape[1:] != (2,) or counts.shape != (words.shape[0],) or done < 0
                or (counts.size and (int(counts.sum()) > done if conditioned else int(counts.sum()) != done))):
            raise self._not_a_checkpoint("its counts do not add up to the samples done: damaged")
        return done, words, counts
