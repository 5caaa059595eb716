"""gxn.Model from Python: what the `gxn` command gives, bit for bit, and the same from many threads.
Needs the tiny trained model of tests/capi/tiny_model.sh ($GXN_TEST_MODEL_DIR) and the gxn
command ($GXN_COMMAND); ctest provides both."""
import os
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import gxn

MODEL_DIR = os.environ.get("GXN_TEST_MODEL_DIR", "")
COMMAND = os.environ.get("GXN_COMMAND", "")
TEXTS = ["a big red circle at the top left", "a small blue square at the center", "a green triangle"]


@unittest.skipUnless(MODEL_DIR and COMMAND and gxn.has_model(),
                     "no tiny model: run through ctest, which trains it (tests/capi/tiny_model.sh)")
class ModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.path = os.path.join(MODEL_DIR, "model.gxn")
        cls.images = [os.path.join(MODEL_DIR, "a.png"), os.path.join(MODEL_DIR, "b.png")]
        cls.model = gxn.Model(cls.path, threads=1)

    def gxn(self, *args):
        return subprocess.run([COMMAND, *args], check=True, capture_output=True, text=True).stdout

    def test_info(self):
        m = self.model
        self.assertEqual(m.embed_dim, 32)
        self.assertAlmostEqual(m.lam, 0.5)
        self.assertEqual(m.paths, {"embedding", "i2t", "t2i"})
        self.assertFalse(m.takes_features)
        self.assertGreater(m.vocab_size, 10)
        self.assertEqual(m.imagine_size, (64, 64))

    def test_embeddings_are_those_of_gxn_encode(self):
        with tempfile.TemporaryDirectory() as d:
            texts = os.path.join(d, "texts.txt")
            with open(texts, "w") as f:
                f.write("\n".join(TEXTS) + "\n")
            self.gxn("encode", "--model", self.path, "--texts", texts, "--out", os.path.join(d, "t.npy"), "--quiet")
            images = os.path.join(d, "images.txt")
            with open(images, "w") as f:
                f.write("\n".join(self.images) + "\n")
            self.gxn("encode", "--model", self.path, "--images", images, "--out", os.path.join(d, "v.npy"), "--quiet")
            np.testing.assert_array_equal(self.model.encode_texts(TEXTS),
                                          np.load(os.path.join(d, "t.npy")).reshape(len(TEXTS), -1))
            np.testing.assert_array_equal(self.model.encode_images(self.images),
                                          np.load(os.path.join(d, "v.npy")).reshape(2, -1))

    def test_decoded_images_encode_as_their_files(self):
        from PIL import Image
        pixels = [np.asarray(Image.open(p).convert("RGB")) for p in self.images]
        np.testing.assert_array_equal(self.model.encode_images(pixels), self.model.encode_images(self.images))
        np.testing.assert_array_equal(self.model.encode_images(np.stack(pixels)), self.model.encode_images(pixels))
        self.assertEqual(self.model.caption(pixels), self.model.caption(self.images))
        # A crop of a larger array (padded rows) is the image it shows.
        big = np.zeros((pixels[0].shape[0] + 4, pixels[0].shape[1] + 9, 3), dtype=np.uint8)
        big[2:-2, 5:-4] = pixels[0]
        np.testing.assert_array_equal(self.model.encode_images([big[2:-2, 5:-4]]), self.model.encode_images(pixels[:1]))

    def test_captions_are_those_of_gxn_caption(self):
        lines = self.gxn("caption", "--model", self.path, "--quiet", *self.images).splitlines()
        self.assertEqual(self.model.caption(self.images), [line.split("\t", 1)[1] for line in lines])
        lines = self.gxn("caption", "--model", self.path, "--quiet", "--sample", "--seed", "9", *self.images)
        self.assertEqual(self.model.caption(self.images, mode="sample", seed=9),
                         [line.split("\t", 1)[1] for line in lines.splitlines()])
        beam = self.model.caption(self.images, mode="beam", beam_size=2, max_length=3)
        self.assertTrue(all(len(c.split()) <= 3 for c in beam))

    def test_imagine_is_seeded(self):
        a = self.model.imagine("a red circle", count=3, seed=4)
        self.assertEqual((a.shape, a.dtype), ((3, 64, 64, 3), np.uint8))
        np.testing.assert_array_equal(a, self.model.imagine("a red circle", count=3, seed=4))
        self.assertFalse(np.array_equal(a, self.model.imagine("a red circle", count=3, seed=5)))

    def test_one_model_many_threads(self):
        def work(_):
            return (self.model.encode_texts(TEXTS), self.model.encode_images(self.images),
                    self.model.caption(self.images, mode="sample", seed=2),
                    self.model.imagine(TEXTS[0], count=2, seed=3))

        alone = work(None)
        with ThreadPoolExecutor(8) as pool:
            for result in pool.map(work, range(16)):
                for got, want in zip(result, alone):
                    if isinstance(want, np.ndarray):
                        np.testing.assert_array_equal(got, want)
                    else:
                        self.assertEqual(got, want)

    def test_device(self):
        # "cpu" is the default's device, bit for bit; an unknown name is an invalid argument.
        on_cpu = gxn.Model(self.path, threads=1, device="cpu")
        self.assertEqual(on_cpu.device, "cpu")
        np.testing.assert_array_equal(on_cpu.encode_texts(TEXTS), self.model.encode_texts(TEXTS))
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.Model(self.path, device="bogus")
        self.assertEqual(ctx.exception.status, 1)
        self.assertIn("bogus", str(ctx.exception))
        # "cuda": unsupported, saying so, without CUDA; with it, the CPU's embeddings up to rounding.
        # GXN_EXPECT_CUDA=1 or 0 says which must happen (unset: whichever the library answers).
        expect = os.environ.get("GXN_EXPECT_CUDA")
        try:
            on_gpu = gxn.Model(self.path, threads=1, device="cuda")
        except gxn.GxnError as e:
            self.assertNotEqual(expect, "1", str(e))
            self.assertEqual(e.status, 7)
            self.assertIn("CUDA is not available", str(e))
        else:
            self.assertNotEqual(expect, "0")
            np.testing.assert_allclose(on_gpu.encode_images(self.images), self.model.encode_images(self.images),
                                       atol=1e-4)

    def test_refusals_name_the_culprit(self):
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.Model(os.path.join(MODEL_DIR, "missing.gxn"))
        self.assertIn("missing.gxn", str(ctx.exception))
        with self.assertRaises(gxn.GxnError) as ctx:
            self.model.encode_images([self.images[0], "/no/such.png"])
        self.assertIn("/no/such.png", str(ctx.exception))
        with self.assertRaises(gxn.GxnError) as ctx:
            self.model.encode_texts(["a red circle", b"a \xff circle"])
        self.assertIn("texts[1]", str(ctx.exception))
        with self.assertRaises(gxn.GxnError):
            self.model.encode_texts("a red circle")  # one string, not a list
        with self.assertRaises(gxn.GxnError) as ctx:
            self.model.encode_images([np.zeros((4, 4), dtype=np.uint8)])
        self.assertIn("images[0]", str(ctx.exception))
        with self.assertRaises(gxn.GxnError) as ctx:
            self.model.caption(self.images, mode="nucleus")
        self.assertIn("mode", str(ctx.exception))
        with self.assertRaises(gxn.GxnError) as ctx:
            self.model.imagine("a red circle", count=0)
        self.assertIn("count", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
