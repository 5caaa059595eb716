"""A trained gxn model through the C API: encode texts and images, caption, imagine."""
import ctypes
import os

import numpy as np

from ._library import GxnError, check, lib
from .arrays import as_float32_2d, float_p, fptr, take_matrix

GXN_ERR_INVALID_ARGUMENT = 1
_PATHS = {1: "embedding", 2: "i2t", 4: "t2i"}
_DECODE_MODES = {"greedy": 0, "beam": 1, "sample": 2}


class _ModelOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("threads", ctypes.c_int), ("batch_size", ctypes.c_int64),
                ("device", ctypes.c_char_p)]


class _ModelInfo(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("embed_dim", ctypes.c_int64), ("lambda_", ctypes.c_float),
                ("paths", ctypes.c_uint), ("takes_features", ctypes.c_int), ("feature_dim", ctypes.c_int64),
                ("vocab_size", ctypes.c_int64), ("max_caption_length", ctypes.c_int64),
                ("imagine_width", ctypes.c_int), ("imagine_height", ctypes.c_int)]


class _CaptionOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("mode", ctypes.c_int), ("beam_size", ctypes.c_int),
                ("temperature", ctypes.c_double), ("seed", ctypes.c_uint64), ("max_length", ctypes.c_int64)]


class _RgbImage(ctypes.Structure):
    _fields_ = [("pixels", ctypes.c_void_p), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("stride", ctypes.c_int64)]


_handle_p = ctypes.POINTER(ctypes.c_void_p)
_strings_p = ctypes.POINTER(ctypes.c_char_p)
lib.gxn_has_model.restype = ctypes.c_int
lib.gxn_model_default_options.argtypes = [ctypes.POINTER(_ModelOptions)]
lib.gxn_caption_default_options.argtypes = [ctypes.POINTER(_CaptionOptions)]
lib.gxn_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(_ModelOptions), _handle_p]
lib.gxn_model_free.argtypes = [ctypes.c_void_p]
lib.gxn_model_get_info.argtypes = [ctypes.c_void_p, ctypes.POINTER(_ModelInfo)]
lib.gxn_model_encode_texts.argtypes = [ctypes.c_void_p, _strings_p, ctypes.c_int64, _handle_p]
lib.gxn_model_encode_image_files.argtypes = [ctypes.c_void_p, _strings_p, ctypes.c_int64, _handle_p]
lib.gxn_model_encode_images.argtypes = [ctypes.c_void_p, ctypes.POINTER(_RgbImage), ctypes.c_int64, _handle_p]
lib.gxn_model_encode_features.argtypes = [ctypes.c_void_p, float_p, ctypes.c_int64, ctypes.c_int64, _handle_p]
_caption_tail = [ctypes.POINTER(_CaptionOptions), _handle_p]
lib.gxn_model_caption_image_files.argtypes = [ctypes.c_void_p, _strings_p, ctypes.c_int64] + _caption_tail
lib.gxn_model_caption_images.argtypes = [ctypes.c_void_p, ctypes.POINTER(_RgbImage), ctypes.c_int64] + _caption_tail
lib.gxn_model_caption_features.argtypes = [ctypes.c_void_p, float_p, ctypes.c_int64, ctypes.c_int64] + _caption_tail
lib.gxn_strings_count.argtypes = [ctypes.c_void_p]
lib.gxn_strings_count.restype = ctypes.c_int64
lib.gxn_strings_get.argtypes = [ctypes.c_void_p, ctypes.c_int64]
lib.gxn_strings_get.restype = ctypes.c_char_p
lib.gxn_strings_free.argtypes = [ctypes.c_void_p]
lib.gxn_model_imagine.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64, ctypes.c_uint64,
                                  ctypes.c_void_p, ctypes.c_size_t]


def has_model():
    """True when the loaded libgxn_c can load models (it was built with LibTorch)."""
    return bool(lib.gxn_has_model())


def _c_strings(items, name, encode):
    items = list(items)
    array = (ctypes.c_char_p * max(len(items), 1))()
    for i, item in enumerate(items):
        if not isinstance(item, (str, bytes, os.PathLike)):
            raise GxnError(GXN_ERR_INVALID_ARGUMENT, f"{name}[{i}]: expected a string, got {type(item).__name__}")
        array[i] = encode(item)
    return array, len(items)


def _texts(texts, name="texts"):
    if isinstance(texts, str):
        raise GxnError(GXN_ERR_INVALID_ARGUMENT, f"{name}: expected a list of strings, got one string")
    return _c_strings(texts, name, lambda t: t.encode("utf-8") if isinstance(t, str) else bytes(t))


def _paths(paths):
    return _c_strings(paths, "paths", os.fsencode)


def _rgb_images(images):
    """(ctypes array of gxn_rgb_image, the numpy arrays it points into, count)."""
    arrays = []
    for i, image in enumerate(images):
        a = np.asarray(image)
        if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] != 3:
            raise GxnError(GXN_ERR_INVALID_ARGUMENT,
                           f"images[{i}]: expected a (height, width, 3) uint8 RGB array, got {a.dtype} {a.shape}")
        if a.strides[1:] != (3, 1):  # rows may be padded (a crop of a larger array); pixels must be packed
            a = np.ascontiguousarray(a)
        arrays.append(a)
    array = (_RgbImage * max(len(arrays), 1))()
    for i, a in enumerate(arrays):
        array[i] = _RgbImage(a.ctypes.data, a.shape[1], a.shape[0], a.strides[0])
    return array, arrays, len(arrays)


def _take_strings(handle):
    try:
        return [lib.gxn_strings_get(handle, i).decode("utf-8") for i in range(lib.gxn_strings_count(handle))]
    finally:
        lib.gxn_strings_free(handle)


class Model:
    """A trained gxn model file (.gxn). One Model may be used from several threads at once; each
    call gives what it gives alone. Embeddings are (N, 2*D) float32 rows (x_h then x_l), which
    Scorer, Index and evaluate take directly.

    device: where the model runs, "cpu", "cuda" or "cuda:N". GxnError with status
    GXN_ERR_UNSUPPORTED (7) when CUDA is not available (a libgxn_c built on a LibTorch without
    CUDA, or no GPU visible); the results come back as NumPy arrays whatever the device."""

    def __init__(self, path, threads=0, batch_size=128, device="cpu"):
        options = _ModelOptions()
        lib.gxn_model_default_options(ctypes.byref(options))
        options.threads = int(threads)
        options.batch_size = int(batch_size)
        options.device = str(device).encode("utf-8")
        self.device = str(device)
        self._handle = ctypes.c_void_p()
        check(lib.gxn_model_load(os.fsencode(path), ctypes.byref(options), ctypes.byref(self._handle)))
        info = _ModelInfo()
        info.size = ctypes.sizeof(info)
        check(lib.gxn_model_get_info(self._handle, ctypes.byref(info)))
        self.embed_dim = info.embed_dim  # D
        self.lam = info.lambda_  # the weight of the abstract part in s*
        self.paths = {name for bit, name in _PATHS.items() if info.paths & bit}
        self.takes_features = bool(info.takes_features)
        self.feature_dim = info.feature_dim
        self.vocab_size = info.vocab_size
        self.max_caption_length = info.max_caption_length
        self.imagine_size = (info.imagine_height, info.imagine_width)

    def __del__(self):
        if getattr(self, "_handle", None):
            lib.gxn_model_free(self._handle)
            self._handle = None

    def _matrix(self, fn, *args):
        handle = ctypes.c_void_p()
        check(fn(self._handle, *args, ctypes.byref(handle)))
        return take_matrix(handle)

    def encode_texts(self, texts):
        """Captions (str, UTF-8) -> (N, 2*D) rows."""
        array, n = _texts(texts)
        return self._matrix(lib.gxn_model_encode_texts, array, n)

    def encode_images(self, images):
        """Images -> (N, 2*D) rows: a list of image files (JPEG, PNG, BMP, GIF), or decoded RGB
        images as (height, width, 3) uint8 arrays (a list, e.g. of np.asarray(PIL image), or one
        (N, height, width, 3) array)."""
        return self._by_kind(images, lambda array, n: self._matrix(lib.gxn_model_encode_image_files, array, n),
                             lambda array, n: self._matrix(lib.gxn_model_encode_images, array, n))

    def _by_kind(self, images, on_files, on_pixels):
        """Calls on_files or on_pixels with the C array of `images` and its length."""
        if isinstance(images, (str, bytes, os.PathLike)):
            raise GxnError(GXN_ERR_INVALID_ARGUMENT, "images: expected a list of paths or of arrays, got one path")
        if not isinstance(images, np.ndarray):
            images = list(images)
            if all(isinstance(i, (str, bytes, os.PathLike)) for i in images):
                return on_files(*_paths(images))
        array, keep, n = _rgb_images(images)
        result = on_pixels(array, n)
        del keep  # the arrays the C call read stay alive until it returned
        return result

    def encode_features(self, features):
        """Precomputed feature rows (N, R*feature_dim), for a model that takes features -> rows."""
        f = as_float32_2d(features, "features")
        return self._matrix(lib.gxn_model_encode_features, fptr(f), f.shape[0], f.shape[1])

    def _captions(self, fn, args, mode, beam_size, temperature, seed, max_length):
        if mode not in _DECODE_MODES:
            raise GxnError(GXN_ERR_INVALID_ARGUMENT, f"mode: one of {sorted(_DECODE_MODES)}, got {mode!r}")
        options = _CaptionOptions()
        lib.gxn_caption_default_options(ctypes.byref(options))
        options.mode = _DECODE_MODES[mode]
        options.beam_size = int(beam_size)
        options.temperature = float(temperature)
        options.seed = int(seed)
        options.max_length = int(max_length)
        handle = ctypes.c_void_p()
        check(fn(self._handle, *args, ctypes.byref(options), ctypes.byref(handle)))
        return _take_strings(handle)

    def caption(self, images, mode="greedy", beam_size=3, temperature=1.0, seed=1, max_length=0):
        """One caption per image (files or arrays, as encode_images takes them). mode: "greedy",
        "beam" (beam_size beams) or "sample" (at temperature, drawn from seed); max_length 0 =
        the model's."""
        decode = (mode, beam_size, temperature, seed, max_length)
        return self._by_kind(images, lambda a, n: self._captions(lib.gxn_model_caption_image_files, (a, n), *decode),
                             lambda a, n: self._captions(lib.gxn_model_caption_images, (a, n), *decode))

    def caption_features(self, features, mode="greedy", beam_size=3, temperature=1.0, seed=1, max_length=0):
        """One caption per precomputed feature row."""
        f = as_float32_2d(features, "features")
        return self._captions(lib.gxn_model_caption_features, (fptr(f), f.shape[0], f.shape[1]), mode, beam_size,
                              temperature, seed, max_length)

    def imagine(self, text, count=8, seed=1):
        """`count` images the model imagines for a caption: (count, height, width, 3) uint8. The
        same seed gives the same images."""
        if not isinstance(text, str):
            raise GxnError(GXN_ERR_INVALID_ARGUMENT, f"text: expected a string, got {type(text).__name__}")
        height, width = self.imagine_size
        out = np.zeros((max(int(count), 0), max(height, 1), max(width, 1), 3), dtype=np.uint8)
        check(lib.gxn_model_imagine(self._handle, text.encode("utf-8"), int(count), int(seed), out.ctypes.data,
                                    out.nbytes))
        return out
