"""Notebook 03's exercises, with ``check()``, ``hint()`` and ``solution()``: the training model's
weights counted by hand, the encoder's mask, a masked loss in NumPy, padding per batch, and the
learning rate of the course trainer.

Used in: notebooks/03_encoder_decoder_training.ipynb (its exercises) and its solutions notebook.

Each exercise here is what a learner meets: its title, difficulty, hints and worked solution.
Its check, what a right answer is and the slips a wrong one is told about, is in
:mod:`helpers.exercises_03_checks`.
"""

from __future__ import annotations

from helpers.exercises import Exercise
from helpers.exercises_03_checks import (
    check_build_encoder,
    check_count_weights,
    check_learning_rate,
    check_masked_loss,
    check_padding,
)

SOLUTIONS = "notebooks/solutions/03_encoder_decoder_training_solutions.ipynb"

# --- 3.1 · Count the weights -----------------------------------------------------------------

q1 = Exercise(
    number="3.1",
    title="Count the weights",
    difficulty=1,
    minutes=10,
    hints=[
        "Three layers have weights: encoder_lstm, decoder_lstm and decoder_dense. Count each "
        "on its own, then add them up.",
        "An LSTM has four sets of weights (input, forget and output gates and the candidate "
        "cell); each reads the layer's input, its own previous output h (latent_dim numbers) "
        "and a bias. A Dense layer has inputs × outputs weights plus one bias per output.",
        "One LSTM: 4 * latent_dim * (inputs + latent_dim + 1), with inputs = the number of "
        "tokens it reads. decoder_dense: latent_dim * num_decoder_tokens + num_decoder_tokens.",
    ],
    solution_code='''
def count_weights(num_encoder_tokens, num_decoder_tokens, latent_dim):
    def lstm(inputs):  # four gates, each reading the input, h and a bias
        return 4 * latent_dim * (inputs + latent_dim + 1)

    dense = latent_dim * num_decoder_tokens + num_decoder_tokens
    return lstm(num_encoder_tokens) + lstm(num_decoder_tokens) + dense


print(count_weights(num_encoder_tokens, num_decoder_tokens, latent_dim), model.count_params())
q1.check(count_weights)
''',
    checker=check_count_weights,
    solutions_notebook=SOLUTIONS,
)

# --- 3.2 · The mask, for real ----------------------------------------------------------------

q2 = Exercise(
    number="3.2",
    title="The mask, for real",
    difficulty=2,
    minutes=10,
    hints=[
        "Section 5.1's final_states builds exactly this encoder inside a function; here it "
        "returns the model instead of calling it, and both states instead of state_h only.",
        "keras.Input(shape=(None,), dtype=\"int32\") → OneHot(num_tokens, mask_zero=mask_zero) "
        "→ layers.LSTM(latent_dim, return_state=True), which returns (outputs, state_h, "
        "state_c).",
        "return keras.Model(inputs, [state_h, state_c]). Then compare "
        "encoder(toy_ids[:1, :3]) with encoder(toy_ids[:1]) for both values of mask_zero.",
    ],
    solution_code='''
def build_encoder(num_tokens, latent_dim, mask_zero):
    inputs = keras.Input(shape=(None,), dtype="int32")
    vectors = OneHot(num_tokens, mask_zero=mask_zero)(inputs)
    _, state_h, state_c = layers.LSTM(latent_dim, return_state=True)(vectors)
    return keras.Model(inputs, [state_h, state_c])


for mask_zero in (True, False):
    encoder = build_encoder(len(toy_input_vocab), 16, mask_zero)
    h_alone, _ = encoder(toy_ids[:1, :3])  # "Go." without padding
    h_padded, _ = encoder(toy_ids[:1])     # "Go." padded like "Be nice."
    print(f"mask_zero={mask_zero}: largest difference {np.abs(h_alone - h_padded).max():.2e}")
q2.check(build_encoder)
''',
    checker=check_build_encoder,
    solutions_notebook=SOLUTIONS,
)

# --- 3.3 · A masked loss by hand -------------------------------------------------------------

q3 = Exercise(
    number="3.3",
    title="A masked loss by hand",
    difficulty=2,
    minutes=10,
    hints=[
        "For each step, take the probability the model gives the RIGHT character, "
        "y_pred[b, t, y_true[b, t]]; the loss of that step is minus its log.",
        "np.take_along_axis(y_pred, y_true[..., None], axis=-1)[..., 0] picks those "
        "probabilities; real = y_true != 0 marks the steps that count.",
        "Sum -np.log(picked) over the real steps and divide by the number of real steps in the "
        "whole batch (not per sentence, and not by every step).",
    ],
    solution_code='''
def masked_loss_numpy(y_true, y_pred):
    picked = np.take_along_axis(y_pred, y_true[..., None], axis=-1)[..., 0]
    real = y_true != 0
    return -np.log(picked[real]).sum() / max(real.sum(), 1)


print(masked_loss_numpy(loss_targets, loss_probs), float(masked_loss(loss_targets, loss_probs)))
every_step = keras.losses.sparse_categorical_crossentropy(loss_targets, loss_probs)
print(every_step.numpy().mean())  # every step: the padded ones, predicted well, pull it down
q3.check(masked_loss_numpy)
''',
    checker=check_masked_loss,
    solutions_notebook=SOLUTIONS,
)

# --- 3.4 · How much padding? -----------------------------------------------------------------

q4 = Exercise(
    number="3.4",
    title="How much padding?",
    difficulty=1,
    minutes=10,
    hints=[
        "padded_steps(batches, ids) above already counts the computed steps; the real steps "
        "are training.sequence_lengths(ids).sum(). Padding is the difference.",
        "A batch cut to its own longest sentence computes len(rows) * lengths[rows].max() "
        "steps, of which lengths[rows].sum() are real. Add up over the batches before dividing.",
        "share = 1 - real / computed. Random batches: np.array_split(rng.permutation(n), "
        "ceil(n / batch_size)); bucketed: length_bucketed_batches(enc, dec, batch_size, "
        "seed=SEED).",
    ],
    solution_code='''
def padding_share(batches, decoder_ids):
    lengths = training.sequence_lengths(decoder_ids)
    computed = sum(len(rows) * lengths[rows].max() for rows in batches)
    return 1 - lengths[np.concatenate(batches)].sum() / computed


rng = np.random.default_rng(SEED)
n = len(train_decoder_ids)
for size in (32, 128, 512):
    random_batches = np.array_split(rng.permutation(n), int(np.ceil(n / size)))
    bucketed = length_bucketed_batches(train_encoder_ids, train_decoder_ids, size, seed=SEED)
    print(f"batch {size}: random {padding_share(random_batches, train_decoder_ids):.1%}, "
          f"bucketed {padding_share(bucketed, train_decoder_ids):.1%}")
most_wasteful = 512
q4.check(padding_share, most_wasteful)
''',
    checker=check_padding,
    solutions_notebook=SOLUTIONS,
)

# --- 3.5 · Learning rate ---------------------------------------------------------------------

q5 = Exercise(
    number="3.5",
    title="Learning rate",
    difficulty=2,
    minutes=15,
    hints=[
        "Prepare 2,000 pairs once (training.prepare_translation_data), then for each rate build "
        "a fresh course model (build_course_model(..., learning_rate=rate)) and train it with "
        "training.train_course and the same time_budget.",
        "Keep what train_course returns: runs[rate] = training.train_course(...). Each run's "
        "rows hold every epoch's held-out masked loss; run.best is its best epoch.",
        "best_rate = min(runs, key=lambda rate: runs[rate].best['heldout_loss']). Use a small "
        "latent_dim (64) and verbose=0 so that the three runs take about a minute.",
    ],
    solution_code='''
small = training.prepare_translation_data(data.load_fra_eng(2_000), seed=0)
runs = {}
for rate in (1e-3, 3e-3, 1e-2):
    keras.utils.set_random_seed(SEED)
    lr_model = build_course_model(len(small.input_vocab), len(small.target_vocab),
                                  latent_dim=64, learning_rate=rate)
    runs[rate] = training.train_course(lr_model, small, epochs=100, patience=4,
                                       time_budget=20, verbose=0)
    print(f"{rate:g}: {len(runs[rate].rows)} epochs, best {runs[rate].best['heldout_loss']:.4f}")
best_rate = min(runs, key=lambda rate: runs[rate].best["heldout_loss"])
q5.check(runs, best_rate)
''',
    checker=check_learning_rate,
    solutions_notebook=SOLUTIONS,
)
