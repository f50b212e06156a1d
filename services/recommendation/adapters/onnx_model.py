"""The collaborative model as an ONNX graph, and serving it with onnxruntime.

The graph holds the item factors as an initializer and computes, for a batch of user
vectors, `scores = user x items' + bias` and its TopK: the service passes the rest of
the blend (popularity, context, content affinity, EXCLUDED for what must not be shown)
as `bias`, so the heavy product and the selection run in onnxruntime's C++ kernels.
Next to the graph a model version has its side arrays (npz): item slugs, user ids,
user factors and the co-occurrence neighbours of each item.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import onnx
import onnxruntime as ort
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

from services.recommendation.domain import als

OPSET = 17
INPUT_USER, INPUT_BIAS, INPUT_K = "user", "bias", "k"
OUTPUT_SCORES, OUTPUT_ROWS = "scores", "rows"


class ModelRejected(Exception):
    """A model that does not load or answers wrongly; `reason` says what."""


def export(item_factors: als.Matrix, version: str) -> bytes:
    """The scoring graph of these item factors, serialized."""
    n, k = item_factors.shape
    items_t = numpy_helper.from_array(np.ascontiguousarray(item_factors.T.astype(np.float32)), name="items_t")
    graph = helper.make_graph(
        nodes=[
            helper.make_node("MatMul", [INPUT_USER, "items_t"], ["affinity"]),
            helper.make_node("Add", ["affinity", INPUT_BIAS], ["blended"]),
            helper.make_node("TopK", ["blended", INPUT_K], [OUTPUT_SCORES, OUTPUT_ROWS], axis=1, largest=1,
                             sorted=1),
        ],
        name="kulturago_recommendations",
        inputs=[helper.make_tensor_value_info(INPUT_USER, TensorProto.FLOAT, ["batch", k]),
                helper.make_tensor_value_info(INPUT_BIAS, TensorProto.FLOAT, ["batch", n]),
                helper.make_tensor_value_info(INPUT_K, TensorProto.INT64, [1])],
        outputs=[helper.make_tensor_value_info(OUTPUT_SCORES, TensorProto.FLOAT, ["batch", "top"]),
                 helper.make_tensor_value_info(OUTPUT_ROWS, TensorProto.INT64, ["batch", "top"])],
        initializer=[items_t],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="kulturago-recommendation")
    model.ir_version = 8  # readable by every onnxruntime we might run
    helper.set_model_props(model, {"version": version, "items": str(n), "factors": str(k)})
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


@dataclass(frozen=True)
class SideArrays:
    item_slugs: tuple[str, ...]
    user_ids: tuple[str, ...]
    user_factors: als.Matrix
    # neighbours[i] = the rows most co-viewed with item i (-1: none), weights alike.
    neighbours: NDArray[np.int64]
    neighbour_weights: NDArray[np.float32]
    regularization: float
    alpha: float

    def dump(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(out, item_slugs=np.array(self.item_slugs), user_ids=np.array(self.user_ids),
                            user_factors=self.user_factors, neighbours=self.neighbours,
                            neighbour_weights=self.neighbour_weights,
                            hyper=np.array([self.regularization, self.alpha], dtype=np.float64))
        return out.getvalue()

    @classmethod
    def load(cls, data: bytes) -> SideArrays:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                return cls(item_slugs=tuple(str(s) for s in z["item_slugs"]),
                           user_ids=tuple(str(u) for u in z["user_ids"]),
                           user_factors=z["user_factors"].astype(np.float32), neighbours=z["neighbours"],
                           neighbour_weights=z["neighbour_weights"].astype(np.float32),
                           regularization=float(z["hyper"][0]), alpha=float(z["hyper"][1]))
        except Exception as exc:  # numpy raises whatever a broken zip makes it meet
            raise ModelRejected(f"side arrays unreadable: {type(exc).__name__}: {exc}") from exc


@dataclass
class ServingModel:
    """One loaded model version: the onnxruntime session plus what fold-in needs. Never
    changed after loading; a new version is a new object swapped in whole."""

    version: str
    session: ort.InferenceSession
    item_factors: als.Matrix
    side: SideArrays
    yty: als.Matrix
    item_row: dict[str, int] = field(default_factory=dict)
    user_row: dict[str, int] = field(default_factory=dict)

    @property
    def factors(self) -> int:
        return int(self.item_factors.shape[1])

    def top(self, user: NDArray[np.float32], bias: NDArray[np.float32], k: int
            ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """(scores, item rows) of the k best for one user vector."""
        k = max(1, min(k, len(self.side.item_slugs)))
        scores, rows = self.session.run([OUTPUT_SCORES, OUTPUT_ROWS], {
            INPUT_USER: user.reshape(1, -1).astype(np.float32), INPUT_BIAS: bias.reshape(1, -1).astype(np.float32),
            INPUT_K: np.array([k], dtype=np.int64)})
        return scores[0], rows[0]

    def fold_in(self, rows: NDArray[np.int64], strength: NDArray[np.float32]) -> als.Matrix:
        return als.fold_in(self.item_factors, self.yty, rows, strength, self.side.alpha)


def _item_factors(model: onnx.ModelProto) -> als.Matrix:
    for init in model.graph.initializer:
        if init.name == "items_t":
            return np.ascontiguousarray(numpy_helper.to_array(init).T.astype(np.float32))
    raise ModelRejected("the graph has no items_t initializer")


def load(version: str, graph: bytes, side_bytes: bytes) -> ServingModel:
    """Loads and checks a version: it must parse, pass the ONNX checker, agree with its
    side arrays, and answer a probe exactly as numpy does. Raises ModelRejected."""
    try:
        model = onnx.load_model_from_string(graph)
        onnx.checker.check_model(model)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # two cores shared by everything: one request, one core
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(graph, sess_options=options, providers=["CPUExecutionProvider"])
    except ModelRejected:
        raise
    except Exception as exc:
        raise ModelRejected(f"the ONNX graph does not load: {type(exc).__name__}: {exc}") from exc
    side = SideArrays.load(side_bytes)
    items = _item_factors(model)
    if items.shape[0] != len(side.item_slugs) or side.user_factors.shape[1:] != (items.shape[1],):
        raise ModelRejected("the graph's items and the side arrays do not agree")
    if not np.isfinite(items).all() or not np.isfinite(side.user_factors).all():
        raise ModelRejected("the factors hold NaN or infinity")
    serving = ServingModel(version=version, session=session, item_factors=items, side=side,
                           yty=als.gram(items, side.regularization),
                           item_row={s: n for n, s in enumerate(side.item_slugs)},
                           user_row={u: n for n, u in enumerate(side.user_ids)})
    probe = np.asarray(np.random.default_rng(0).standard_normal(items.shape[1]), dtype=np.float32)
    k = min(10, items.shape[0])
    try:
        scores, _rows = serving.top(probe, np.zeros(items.shape[0], dtype=np.float32), k)
    except Exception as exc:
        raise ModelRejected(f"the graph fails on a probe: {type(exc).__name__}: {exc}") from exc
    expected = items @ probe
    if not np.allclose(np.sort(expected)[::-1][:k], scores, rtol=1e-3, atol=1e-4):
        raise ModelRejected("the graph's scores differ from its factors'")
    return serving
