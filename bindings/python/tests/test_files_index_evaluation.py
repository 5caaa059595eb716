"""Files, the index and evaluation from Python, checked against numpy."""
import os
import tempfile
import unittest

import numpy as np

import gxn


class FilesTest(unittest.TestCase):
    def test_embeddings_round_trip_is_numpy_compatible(self):
        rows = np.random.default_rng(1).random((5, 2, 3), dtype=np.float32)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "e.npy")
            gxn.write_embeddings(path, rows)
            np.testing.assert_array_equal(np.load(path), rows)  # numpy reads what gxn wrote
            np.testing.assert_array_equal(gxn.read_embeddings(path), rows.reshape(5, 6))

    def test_missing_and_damaged_files_name_the_culprit(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(gxn.GxnError) as ctx:
                gxn.read_embeddings(os.path.join(d, "missing.npy"))
            self.assertIn("missing.npy", str(ctx.exception))
            bad = os.path.join(d, "bad.npy")
            with open(bad, "wb") as f:
                f.write(b"\x93NUMPY\x01\x00garbage")
            with self.assertRaises(gxn.GxnError) as ctx:
                gxn.read_matrix(bad)
            self.assertIn("bad.npy", str(ctx.exception))


class EvaluationTest(unittest.TestCase):
    def test_perfect_scores_give_full_recall(self):
        s = np.full((4, 20), -1.0, np.float32)
        for i in range(4):
            s[i, 5 * i:5 * i + 5] = 0.0
        m = gxn.evaluate(s)
        self.assertEqual(m["i2t"]["r1"], 100.0)
        self.assertEqual(m["t2i"]["medr"], 1.0)
        self.assertAlmostEqual(m["rsum"], 600.0)

    def test_wrong_caption_count_is_refused(self):
        with self.assertRaises(gxn.GxnError):
            gxn.evaluate(np.zeros((4, 19), np.float32))


class IndexTest(unittest.TestCase):
    def test_search_equals_exact_top_k_and_survives_save_load(self):
        rng = np.random.default_rng(2)
        images = rng.random((300, 16), dtype=np.float32)
        texts = rng.random((12, 16), dtype=np.float32)
        exact, _ = gxn.Scorer(lam=0.4).top_images(texts, images, 5)
        index = gxn.Index.build(images, lam=0.4)
        got, _ = index.search(texts, 5, shortlist=300)  # the shortlist covers everything
        np.testing.assert_array_equal(got, exact)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "images.gxnindex")
            index.save(path)
            again, _ = gxn.Index.load(path).search(texts, 5, shortlist=300)
            np.testing.assert_array_equal(again, exact)

    def test_ids_payloads_add_remove(self):
        rng = np.random.default_rng(3)
        images = rng.random((50, 8), dtype=np.float32)
        texts = rng.random((4, 8), dtype=np.float32)
        names = [f"img{i}.png" for i in range(50)]
        index = gxn.Index.build(images[:40], ids=np.arange(40) * 10, payloads=names[:40])
        index.add(images[40:], payloads=names[40:])  # ids continue: 391..400
        self.assertEqual(list(index.ids[38:42]), [380, 390, 391, 392])
        index.remove([0, 391])
        self.assertEqual(len(index), 48)
        ids, scores, found = index.search(texts, 3, shortlist=48, payloads=True)
        position = {i: r for r, i in enumerate(list(np.arange(40) * 10) + list(range(391, 401)))}
        exact, _ = gxn.Scorer().top_images(texts, np.delete(images, [0, 40], axis=0), 3)
        kept = [i for i in position if i not in (0, 391)]
        np.testing.assert_array_equal(ids, np.array(kept)[exact])
        self.assertEqual(found[0][0], names[position[ids[0][0]]])
        with tempfile.TemporaryDirectory() as d:
            index.save(os.path.join(d, "i.gxnindex"))
            loaded = gxn.Index.load(os.path.join(d, "i.gxnindex"))
            self.assertEqual(loaded.payload(392), "img41.png")
        with self.assertRaises(gxn.GxnError) as ctx:
            index.remove([10, 12345])
        self.assertIn("12345", str(ctx.exception))
        self.assertEqual(len(index), 48)
        with self.assertRaises(gxn.GxnError):
            index.add(images[:2], ids=[10, 11])  # 10 is taken

    def test_search_on_a_device(self):
        """set_device("cuda"): the CPU's exact answers where a CUDA device is present; else a clear
        refusal and the index stays on the CPU."""
        rng = np.random.default_rng(4)
        # Eighths, lambda 1: exact scores on either device, and many ties (lower id first).
        images = rng.integers(0, 16, (517, 2 * 11)).astype(np.float32) / 8
        texts = rng.integers(0, 16, (9, 2 * 11)).astype(np.float32) / 8
        index = gxn.Index.build(images, lam=1.0, ids=np.arange(517)[::-1] + 5)
        self.assertEqual(index.device, "cpu")
        want = index.search(texts, 20)
        with self.assertRaises(gxn.GxnError) as ctx:
            index.set_device("gpu")
        self.assertIn("cuda:N", str(ctx.exception))
        try:
            index.set_device("cuda")
        except gxn.GxnError as e:
            self.assertEqual(e.status, 7)  # unsupported
            self.assertTrue("no CUDA device" in str(e) or "built without CUDA" in str(e), str(e))
            self.assertEqual(index.device, "cpu")
            self.skipTest(str(e))
        self.assertEqual(index.device, "cuda:0")
        for got, expected in zip(index.search(texts, 20), want):
            np.testing.assert_array_equal(got, expected)
        index.set_device("cpu")
        self.assertEqual(index.device, "cpu")


if __name__ == "__main__":
    unittest.main()
