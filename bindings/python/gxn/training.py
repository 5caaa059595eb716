"""Training a gxn model from Python through the C API, with progress reports and cancelling."""
import ctypes
import json
import os
from dataclasses import dataclass

from ._library import check, lib


class _Progress(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("epoch", ctypes.c_int64), ("epochs", ctypes.c_int64),
                ("step", ctypes.c_int64), ("loss", ctypes.c_double), ("epoch_end", ctypes.c_int),
                ("best", ctypes.c_int), ("val_i2t_r1", ctypes.c_double), ("val_t2i_r1", ctypes.c_double),
                ("val_rsum", ctypes.c_double), ("val_cider", ctypes.c_double), ("ranking_loss", ctypes.c_double),
                ("caption_loss", ctypes.c_double), ("generator_loss", ctypes.c_double),
                ("discriminator_loss", ctypes.c_double)]


_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_Progress), ctypes.c_void_p)


class _Options(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("data_dir", ctypes.c_char_p), ("out_dir", ctypes.c_char_p),
                ("config_json", ctypes.c_char_p), ("config_file", ctypes.c_char_p), ("resume", ctypes.c_int),
                ("epochs", ctypes.c_int64), ("threads", ctypes.c_int), ("callback", _Callback),
                ("user_data", ctypes.c_void_p)]


lib.gxn_train_default_options.argtypes = [ctypes.POINTER(_Options)]
lib.gxn_train.argtypes = [ctypes.POINTER(_Options)]


@dataclass(frozen=True)
class TrainProgress:
    """One report: after a step (epoch_end False) or at an epoch's end (the val_* fields set)."""
    epoch: int
    epochs: int
    step: int
    loss: float
    epoch_end: bool
    best: bool
    val_i2t_r1: float
    val_t2i_r1: float
    val_rsum: float
    val_cider: float
    ranking_loss: float
    caption_loss: float
    generator_loss: float
    discriminator_loss: float


def train(out_dir, data_dir=None, config=None, resume=False, epochs=0, threads=0, progress=None):
    """Trains a model into the run folder out_dir (RUN/best.gxn, checkpoint.gxn, log.csv), as
    `gxn train` does. config: a dict of training settings (keys: `gxn train --list-config`) or a
    JSON file's path; None for the defaults (on resume: the checkpoint's); its "device" ("cpu",
    "cuda", "cuda:N") says where to train, and a run may resume on another. progress(TrainProgress)
    is called after every step and epoch; returning False cancels (GxnError with status 9), leaving
    the last checkpoint to resume from. An exception raised by progress cancels and is re-raised."""
    options = _Options()
    lib.gxn_train_default_options(ctypes.byref(options))
    options.out_dir = os.fsencode(out_dir)
    options.data_dir = os.fsencode(data_dir) if data_dir is not None else None
    if isinstance(config, dict):
        options.config_json = json.dumps(config).encode("utf-8")
    elif config is not None:
        options.config_file = os.fsencode(config)
    options.resume = 1 if resume else 0
    options.epochs = int(epochs)
    options.threads = int(threads)
    raised = []

    def report(p, _user_data):
        if raised:
            return 1
        try:
            c = p.contents
            go_on = progress(TrainProgress(c.epoch, c.epochs, c.step, c.loss, bool(c.epoch_end), bool(c.best),
                                           c.val_i2t_r1, c.val_t2i_r1, c.val_rsum, c.val_cider, c.ranking_loss,
                                           c.caption_loss, c.generator_loss, c.discriminator_loss))
            return 1 if go_on is False else 0
        except BaseException as e:  # noqa: B036 - carried across the C frames, raised below
            raised.append(e)
            return 1

    callback = _Callback(report) if progress is not None else _Callback()
    options.callback = callback
    status = lib.gxn_train(ctypes.byref(options))
    if raised:
        raise raised[0]
    check(status)
