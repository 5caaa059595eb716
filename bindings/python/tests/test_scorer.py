"""The Python package against a float64 numpy reference of the order-violation similarity."""
import unittest

import numpy as np

import gxn


def reference(images, texts, lam):
    d = images.shape[1] // 2
    v, t = images.astype(np.float64), texts.astype(np.float64)
    viol = np.maximum(0.0, v[:, None, :] - t[None, :, :]) ** 2
    return -(lam * viol[..., :d].sum(-1) + (1 - lam) * viol[..., d:].sum(-1))


class ScorerTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(7)
        self.images = rng.random((23, 2, 10), dtype=np.float32)
        self.texts = rng.random((37, 20), dtype=np.float32)

    def test_version(self):
        self.assertRegex(gxn.version(), r"^\d+\.\d+\.\d+$")

    def test_score_matrix_matches_reference(self):
        s = gxn.Scorer(lam=0.3).score_matrix(self.images, self.texts)
        ref = reference(self.images.reshape(23, 20), self.texts, 0.3)
        np.testing.assert_allclose(s, ref, rtol=1e-5, atol=1e-5)

    def test_top_texts_is_sorted_reference(self):
        index, score = gxn.Scorer(lam=0.5).top_texts(self.images, self.texts, 5)
        ref = reference(self.images.reshape(23, 20), self.texts, 0.5)
        self.assertEqual(index.shape, (23, 5))
        expected = np.argsort(-ref, axis=1, kind="stable")[:, :5]
        np.testing.assert_array_equal(index, expected)
        np.testing.assert_allclose(score, np.take_along_axis(ref, expected, 1), rtol=1e-5, atol=1e-5)

    def test_top_images_with_k_beyond_candidates(self):
        index, _ = gxn.Scorer().top_images(self.texts, self.images, 100)
        self.assertEqual(index.shape, (37, 23))

    def test_errors_carry_the_message(self):
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.Scorer(lam=2.0)
        self.assertIn("lambda", str(ctx.exception))
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.Scorer().score_matrix(self.images, np.zeros((3, 8), np.float32))
        self.assertIn("texts rows hold 8", str(ctx.exception))
        with self.assertRaises(gxn.GxnError):
            gxn.Scorer().top_texts(self.images, np.zeros((3, 8), np.float32), 2)
        with self.assertRaises(gxn.GxnError) as ctx:  # odd width: caught by the library itself
            gxn.Scorer().score_matrix(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32))
        self.assertEqual(ctx.exception.status, 5)


class CudaScorerTest(unittest.TestCase):
    """device="cuda": the CPU's results where a CUDA device is present; else a clear refusal."""

    def setUp(self):
        rng = np.random.default_rng(8)
        # Eighths, lambda 1: exact scores, so the GPU must equal the CPU bit for bit.
        self.images = rng.integers(0, 16, (131, 2 * 19)).astype(np.float32) / 8
        self.texts = rng.integers(0, 16, (257, 2 * 19)).astype(np.float32) / 8
        try:
            self.gpu = gxn.Scorer(lam=1.0, device="cuda")
        except gxn.GxnError as e:
            self.assertEqual(e.status, 7)  # unsupported
            self.assertTrue("no CUDA device" in str(e) or "built without CUDA" in str(e), str(e))
            self.skipTest(str(e))

    def test_same_results_as_the_cpu(self):
        cpu = gxn.Scorer(lam=1.0)
        self.assertEqual(self.gpu.device, "cuda:0")
        np.testing.assert_array_equal(self.gpu.score_matrix(self.images, self.texts),
                                      cpu.score_matrix(self.images, self.texts))
        for k in (1, 10, 300):
            for got, want in zip(self.gpu.top_texts(self.images, self.texts, k), cpu.top_texts(self.images, self.texts, k)):
                np.testing.assert_array_equal(got, want)
            for got, want in zip(self.gpu.top_images(self.texts, self.images, k),
                                 cpu.top_images(self.texts, self.images, k)):
                np.testing.assert_array_equal(got, want)


class DeviceNameTest(unittest.TestCase):
    def test_cpu_and_bad_names(self):
        self.assertEqual(gxn.Scorer().device, "cpu")
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.Scorer(device="gpu")
        self.assertIn("cuda:N", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
