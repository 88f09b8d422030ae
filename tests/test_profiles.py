"""The course kernel's start-up: TensorFlow's logs stay out of notebook outputs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow  # a subprocess trains under tf.distribute
def test_quiet_start_keeps_tensorflow_cpp_warnings_out_of_notebook_outputs() -> None:
    """The course kernel's start-up (make kernel) runs quiet_start before any cell; after it, a
    tf.distribute run writes no C++ warning to stderr (notebook 05, section 7)."""
    script = (
        "import os, sys\n"
        "os.environ.pop('TF_CPP_MIN_LOG_LEVEL', None)\n"
        "from helpers.profiles import quiet_start\n"
        "quiet_start()\n"
        "print('--- cells start', file=sys.stderr, flush=True)\n"
        "import tensorflow as tf\n"
        "from helpers import data\n"
        "from helpers.attention import build_attention_model\n"
        "from helpers.training import prepare_translation_data, train_course\n"
        "tf.get_logger().setLevel('ERROR')\n"
        "strategy = tf.distribute.MirroredStrategy()\n"
        "small = prepare_translation_data(data.load_fra_eng(200))\n"
        "with strategy.scope():\n"
        "    model = build_attention_model(len(small.input_vocab), len(small.target_vocab),\n"
        "                                  latent_dim=4)\n"
        "train_course(model, small, epochs=1, verbose=0, strategy=strategy, batch_size=64)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=300, check=True)
    after = done.stderr.split("--- cells start", 1)[1]
    assert after.strip() == "", after
