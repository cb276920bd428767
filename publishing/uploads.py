"""Files written to storage inside a database transaction are deleted again if it rolls back.

Otherwise a save that fails after its upload was written (a database error, a crash in a later
step) would leave the file in media storage with no row pointing at it.

Django has on-commit hooks but no on-rollback ones. What it does do is drop, without running
them, the on-commit hooks of whatever is rolled back: the whole transaction, or only the savepoint
(inner atomic block) the hook was registered in. So each write registers a hook that marks its
file as committed, and weakref.finalize() deletes the file when that hook is dropped unmarked.
CPython frees a dropped hook at once, so the file goes as the rollback happens. Files left by a
process that died mid-transaction are for `manage.py orphaned_media`.

Django also drops the hooks after one that raises, although the transaction did commit, so
every other on-commit hook here must be robust (on_commit(..., robust=True)) or catch its errors.
"""

import logging
import weakref
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

logger = logging.getLogger(__name__)

# While outliving_savepoints() runs: the files written in it.
_carried = ContextVar("carried", default=None)


class _WrittenFile:
    """A file written in a transaction: deleted when its hook is dropped, unless committed or carried."""

    def __init__(self, storage, name):
        self.storage = storage
        self.name = name
        self.committed = False
        self.carried = False

    def delete_unless_kept(self):
        if self.committed or self.carried:
            return
        try:
            self.storage.delete(self.name)
        except Exception:
            # Called from within a rollback: logged, never raised into it.
            logger.exception("Could not delete %s, written in a transaction that was rolled back", self.name)


class _OnCommit:
    """The on-commit hook standing for a written file: run, it keeps the file; dropped unrun, the file goes."""

    def __init__(self, written):
        self.written = written

    def __call__(self):
        self.written.committed = True


def delete_on_rollback(storage, name):
    """Delete the file name, just written to storage, if the transaction (or savepoint) it was written in rolls back."""
    written = _WrittenFile(storage, name)
    carried = _carried.get()
    if carried is not None:
        written.carried = True
        carried.append(written)
    hook = _OnCommit(written)
    weakref.finalize(hook, written.delete_unless_kept)
    transaction.on_commit(hook, robust=True)


@contextmanager
def outliving_savepoints():
    """Keep the files written in the block past the rollback of savepoints inside it.

    They are deleted only if the transaction around the block rolls back, as publishing.versions.editing()
    needs: it rolls back the rows an upload was saved in but keeps the upload in the pending version.
    """
    carried = []
    token = _carried.set(carried)
    try:
        yield
    finally:
        _carried.reset(token)
        for written in carried:
            if not written.committed:
                delete_on_rollback(written.storage, written.name)
