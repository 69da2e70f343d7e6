"""The one checkpoint format of boolnet's long runs: a run's state, saved atomically.

A checkpoint is a NumPy ``.npz`` file holding the run's options (its
*fingerprint*, with the format tag of its kind) and the arrays of the work done
so far. It is written through :func:`boolnet.io.atomic_path` (a temporary file
in the same folder, synced, renamed over the target), so the path always holds a
complete checkpoint, even after ``kill -9`` or a power loss; temporary files of a
killed save are removed when the next run starts.

:class:`Checkpoint` is the base: each kind of run subclasses it and says which
arrays it saves and how they are read back (:attr:`~Checkpoint.format`,
:attr:`~Checkpoint.kind`, :attr:`~Checkpoint.arrays`, :meth:`~Checkpoint._arrays`,
:meth:`~Checkpoint._state`), keeping the atomic writes, the fingerprint check, the
clean-up and :meth:`Checkpoint.save_elsewhere`. The kinds: the sampler's
(:class:`boolnet.sampling.checkpoint.SampleCheckpoint`), the trainer's
(:mod:`boolnet.training.train`) and the exact perceptron engine's
(:mod:`boolnet.exact.engine`). It lives in :mod:`boolnet.io` so that every layer
above it (the exact engine is below the sampler) shares it; the run loop that
saves it is :func:`boolnet.runs.drive`.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.io.paths import atomic_path, check_output_path

def _write_npz(path, **arrays) -> None:
    """Write ``arrays`` to ``path`` as an uncompressed ``.npz`` (a seam for tests that fake a full disk)."""
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


class Checkpoint:
    """Atomic save and checked load of a run's state (``done`` units and their results) for one run's options.

    A kind of run subclasses it, overriding :attr:`format`, :attr:`kind`,
    :attr:`arrays`, :meth:`_arrays` and :meth:`_state`.

    Parameters
    ----------
    path : str or Path
        Checked at once: its folder must exist and be writable, and it must not be
        a directory (:class:`~boolnet.errors.BoolnetError`, ``param="checkpoint"``).
        Stale temporary files of a killed save beside it are removed.
    fingerprint : dict
        The options of the run; a checkpoint made with other options is refused.

    Attributes
    ----------
    saved_done : int or None
        Units (samples, trainings, orbits) held by the file (after :meth:`load` or a successful :meth:`save`).
    """

    #: Tag stored in the fingerprint: a file with another tag is refused.
    format = ""
    #: What a file of this kind is called in a refusal.
    kind = "boolnet"
    #: The arrays a file holds besides ``fingerprint``.
    arrays: tuple = ()

    def __init__(self, path, fingerprint: dict):
        self.path = check_output_path(path, suffixes=None, param="checkpoint")
        self.fingerprint = dict(fingerprint)
        self.saved_done: int | None = None

    def _not_a_checkpoint(self, why: str) -> BoolnetError:
        return BoolnetError(f"checkpoint {self.path} is not a {self.kind} checkpoint ({why}); delete it or choose "
                            "another path", param="checkpoint")

    def _arrays(self, done: int, results) -> dict:
        """The arrays saved for ``done`` units of ``results`` (the subclass's run results)."""
        raise NotImplementedError

    def _state(self, saved: dict, arrays: dict) -> tuple:
        """What :meth:`load` returns, ``done`` first, from a file's fingerprint and :attr:`arrays`.

        Raises ``self._not_a_checkpoint(...)`` when they do not fit together.
        """
        raise NotImplementedError

    def load(self):
        """The state of an existing checkpoint of the same options, or None when there is none.

        A subclass's :meth:`_state` says what it is, ``done`` first.

        Raises
        ------
        BoolnetError
            The file is not a checkpoint (random bytes, truncated, another program's
            ``.npz``), or was made with other options (the message names them).
        """
        if not self.path.exists():
            return None
        try:
            with open(self.path, "rb") as fh:
                magic = fh.read(4)
        except OSError as exc:
            raise BoolnetError(f"cannot read checkpoint {self.path}: {exc.strerror or exc}", param="checkpoint") \
                from None
        if magic != b"PK\x03\x04":  # every .npz is a zip file
            raise self._not_a_checkpoint("empty file" if not magic else "not a NumPy .npz file")
        try:
            with np.load(self.path, allow_pickle=False) as data:
                without = self._not_a_checkpoint("a .npz file without the arrays of a checkpoint")
                if "fingerprint" not in data.files:
                    raise without
                if data["fingerprint"].dtype != np.uint8:  # e.g. a training checkpoint of boolnet 0.2
                    raise self._not_a_checkpoint("a .npz file of another kind, or of an older format")
                saved = json.loads(bytes(data["fingerprint"]).decode())
                # The format first: another kind of checkpoint (sampler, trainer) is named as such.
                if not isinstance(saved, dict) or saved.get("format") != self.format:
                    raise self._not_a_checkpoint("a .npz file of another kind")
                if not set(self.arrays) <= set(data.files):
                    raise without
                arrays = {name: data[name].copy() for name in self.arrays}
            state = self._state(saved, arrays)
        except BoolnetError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise self._not_a_checkpoint(f"truncated or damaged: {first}") from None
        mine = dict(self.fingerprint, format=self.format)
        diff = [k for k in sorted(set(saved) | set(mine)) if saved.get(k) != mine.get(k)]
        if diff:
            details = ", ".join(f"{k}: {saved.get(k)!r} there, {mine.get(k)!r} here" for k in diff)
            raise BoolnetError(f"checkpoint {self.path} was made with different options ({details}); run with "
                               "the same options to resume it, or use another checkpoint path", param="checkpoint")
        self.saved_done = state[0]
        return state

    def save(self, done: int, results) -> None:
        """Write the state of ``done`` units of ``results`` atomically (the arrays of :meth:`_arrays`).

        Raises
        ------
        BoolnetError
            The file could not be written (full disk, permission); the previous
            checkpoint, if any, is left as it was.
        """
        self._write(self.path, done, results)
        _sync_folder(self.path)
        self.saved_done = done

    def save_elsewhere(self, done: int, results) -> Path | None:
        """After a failed :meth:`save`, save to a new file in the temporary folder; its path, or None.

        Used when a run ends or stops with its last save failed, so that its results
        survive the process (the temporary folder is often on another disk). Nothing
        is tried when that folder is the checkpoint's own.
        """
        folder = Path(tempfile.gettempdir())
        try:
            if folder.resolve() == (self.path.parent if str(self.path.parent) else Path(".")).resolve():
                return None
            fd, name = tempfile.mkstemp(prefix=f"{self.path.stem}-", suffix=self.path.suffix or ".ckpt", dir=folder)
            os.close(fd)
        except OSError:
            return None
        other = Path(name)
        try:
            self._write(other, done, results)
        except (OSError, BoolnetError):
            try:
                other.unlink()
            except OSError:
                pass
            return None
        return other

    def _write(self, path: Path, done: int, results) -> None:
        arrays = self._arrays(done, results)
        fingerprint = json.dumps(dict(self.fingerprint, format=self.format), sort_keys=True)
        with atomic_path(path, param="checkpoint") as tmp:
            _write_npz(tmp, fingerprint=np.frombuffer(fingerprint.encode(), dtype=np.uint8), **arrays)


def _sync_folder(path: Path) -> None:
    """Make a rename in ``path``'s folder durable (power loss); best effort."""
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
