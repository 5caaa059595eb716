"""gxn.train from Python: progress, cancel, resume to the model an uninterrupted run gives.
Needs the tiny shapes set and config of tests/capi/tiny_model.sh ($GXN_TEST_MODEL_DIR)."""
import json
import os
import tempfile
import unittest

import numpy as np

import gxn

MODEL_DIR = os.environ.get("GXN_TEST_MODEL_DIR", "")


@unittest.skipUnless(MODEL_DIR and gxn.has_model(),
                     "no tiny data set: run through ctest, which makes it (tests/capi/tiny_model.sh)")
class TrainTest(unittest.TestCase):
    def setUp(self):
        self.data = os.path.join(MODEL_DIR, "shapes")
        with open(os.path.join(MODEL_DIR, "tiny.json")) as f:
            self.config = json.load(f)
        self.config["model"]["paths"] = "embedding,i2t,t2i"
        self.work = tempfile.TemporaryDirectory()
        self.addCleanup(self.work.cleanup)

    def run_dir(self, name):
        return os.path.join(self.work.name, name)

    def test_cancel_and_resume_give_the_uninterrupted_model(self):
        seen = []
        gxn.train(self.run_dir("whole"), self.data, config=self.config, epochs=2, progress=seen.append)
        ends = [p for p in seen if p.epoch_end]
        self.assertEqual([p.epoch for p in ends], [1, 2])
        self.assertTrue(all(0 <= p.val_rsum <= 600 for p in ends))
        # The tiny config trains all three paths: each reports its loss.
        self.assertTrue(all(p.ranking_loss > 0 and p.caption_loss > 0 and p.generator_loss > 0 and
                            p.discriminator_loss > 0 for p in seen))
        self.assertEqual([p.step for p in seen if not p.epoch_end], list(range(1, ends[-1].step + 1)))

        def cancel_in_epoch_2(p):
            return not (p.epoch == 2 and not p.epoch_end)

        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.train(self.run_dir("cut"), self.data, config=self.config, epochs=2, progress=cancel_in_epoch_2)
        self.assertEqual(ctx.exception.status, 9)
        self.assertIn("epoch 2", str(ctx.exception))
        gxn.train(self.run_dir("cut"), resume=True)
        texts = ["a big red circle at the top left", "a small blue square"]
        whole = gxn.Model(os.path.join(self.run_dir("whole"), "best.gxn")).encode_texts(texts)
        cut = gxn.Model(os.path.join(self.run_dir("cut"), "best.gxn")).encode_texts(texts)
        np.testing.assert_array_equal(whole, cut)

    def test_an_exception_in_progress_stops_training_and_is_raised(self):
        def fail(p):
            raise KeyError("stop here")

        with self.assertRaises(KeyError):
            gxn.train(self.run_dir("x"), self.data, config=self.config, epochs=1, progress=fail)

    def test_bad_settings_are_refused_by_name(self):
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.train(self.run_dir("y"), self.data, config=dict(self.config, batch_size=-1))
        self.assertIn("batch_size", str(ctx.exception))
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.train(self.run_dir("z"), resume=True)
        self.assertIn("no checkpoint", str(ctx.exception))


    def test_the_device_is_a_config_setting(self):
        with self.assertRaises(gxn.GxnError) as ctx:
            gxn.train(self.run_dir("d"), self.data, config=dict(self.config, device="tpu"))
        self.assertIn("device", str(ctx.exception))
        if os.environ.get("GXN_EXPECT_CUDA") == "1":
            return  # training on the GPU: the CLI test (tests/tools/device.sh) does it
        try:
            gxn.train(self.run_dir("c"), self.data, config=dict(self.config, device="cuda"), epochs=1)
        except gxn.GxnError as e:  # no CUDA here: refused, saying so
            self.assertEqual(e.status, 7)
            self.assertIn("CUDA is not available", str(e))

if __name__ == "__main__":
    unittest.main()
