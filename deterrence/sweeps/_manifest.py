"""The manifest of a sweep: what was asked, with what software, and which chunks are done.

A :class:`Manifest` is a typed, frozen record; :meth:`Manifest.to_json` and
:meth:`Manifest.from_json` convert it to and from the data of ``manifest.json``, whose format
(``"deterrence-sweep/1"``, :data:`FORMAT`) is unchanged from the untyped manifests of earlier
versions, so their folders load and resume. ``manifest["key"]`` reads the JSON data of one
field (``manifest["model"]["name"]``, ``manifest["runs"][-1]["computed_chunks"]``), as the
dictionaries of earlier versions did; code should read the typed fields
(``manifest.model.name``, ``manifest.runs[-1].computed_chunks``).

The fields in :data:`SPEC_FIELDS` say what the sweep computes: a folder whose manifest agrees
with a new sweep on all of them holds the same sweep, which may resume there.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import LabelError, SweepError
from ._design import DesignInfo

FORMAT = "deterrence-sweep/1"

#: a manifest's ``status``: the sweep runs, finished, was interrupted (Ctrl-C), or stopped at an error
STATUSES = ("running", "complete", "interrupted", "failed")

#: the fields that define the computation: a folder resumes only a sweep that agrees on all
SPEC_FIELDS = (
    "model",
    "baseline",
    "concept",
    "belief_policy",
    "selection",
    "design",
    "fixed",
    "n_points",
    "chunk_size",
    "path_requested",
    "solve_options",
    "on_error",
)


#: how a grid that differs only in the order of its parameters is named
ORDER_DIFFERS = "the order of the grid's parameters, the first varying slowest"


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON data (numpy numbers as Python numbers, tuples and sets as lists)."""
    return json.loads(json.dumps(obj, default=_json_default))


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def _without_none(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


class _Readable:
    """``record["key"]`` and ``record.get("key")``: the JSON data of one field, as the untyped
    manifests of earlier versions gave it."""

    def to_json(self) -> dict[str, Any]:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        data = self.to_json()
        if key not in data:
            raise LabelError(key, "manifest field", data)
        return data[key]

    def get(self, key: str, default: Any = None) -> Any:
        """The JSON data of field ``key``, or ``default`` where the field is empty."""
        return self.to_json().get(key, default)


# ---------------------------------------------------------------------------------- parts
@dataclass(frozen=True)
class ModelIdentity(_Readable):
    """Which model was swept: its name, the SHA-256 of its file, and its pinned parameters."""

    name: str | None
    sha256: str | None
    is_baseline: bool = False
    pinned: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, model: Any) -> ModelIdentity | None:
        """The identity of a model (``None`` for no model)."""
        if model is None:
            return None
        fixed = getattr(model, "fixed", None) or {}
        return cls(
            name=getattr(model, "name", None),
            sha256=getattr(model, "sha256", None),
            is_baseline=bool(getattr(model, "is_baseline", False)),
            pinned={str(k): str(v) for k, v in dict(fixed).items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "is_baseline": self.is_baseline,
            "pinned": dict(self.pinned),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ModelIdentity | None:
        if data is None:
            return None
        return cls(
            data.get("name"),
            data.get("sha256"),
            bool(data.get("is_baseline", False)),
            dict(data.get("pinned", {})),
        )


@dataclass(frozen=True)
class ParameterInfo(_Readable):
    """A parameter of the swept model: default, domain ``(lo, hi)`` and description."""

    default: float
    domain: tuple[float, float]
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"default": self.default, "domain": list(self.domain), "description": self.description}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ParameterInfo:
        lo, hi = data["domain"]
        return cls(float(data["default"]), (float(lo), float(hi)), str(data.get("description", "")))


@dataclass(frozen=True)
class ChunkRecord(_Readable):
    """A finished chunk: its points ``start .. stop-1``; where known, its rows, its file, the run
    that computed it (``"unrecorded"`` for a file found in the folder without a record) and when."""

    id: int
    start: int
    stop: int
    rows: int | None = None
    file: str | None = None
    run: str | None = None
    finished: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _without_none(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChunkRecord:
        return cls(
            int(data["id"]),
            int(data["start"]),
            int(data["stop"]),
            data.get("rows"),
            data.get("file"),
            data.get("run"),
            data.get("finished"),
        )


@dataclass(frozen=True)
class RunRecord(_Readable):
    """One run of the sweep (a resumed sweep has several): when, on which backend, with which
    code (:func:`code_identity`), and, once it finished or stopped, how many chunks and points it
    computed, how many points it reused from earlier runs, how many of its points went to the
    per-point path, how long it took, what it noted (chunks found damaged and recomputed,
    workers capped, its estimate) and, for a run that did not finish, why it stopped
    (``stopped``: ``"KeyboardInterrupt"``, or the error's type and message)."""

    id: str
    started: str
    backend: str
    finished: str | None = None
    computed_chunks: int | None = None
    elapsed_seconds: float | None = None
    computed_points: int | None = None
    reused_points: int | None = None
    pointwise_points: int | None = None
    notes: tuple[str, ...] = ()
    identity: Mapping[str, str] | None = None
    stopped: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = _without_none(dataclasses.asdict(self))
        if self.notes:
            data["notes"] = list(self.notes)
        else:
            data.pop("notes", None)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        return cls(
            str(data["id"]),
            str(data.get("started", "")),
            str(data.get("backend", "")),
            data.get("finished"),
            data.get("computed_chunks"),
            data.get("elapsed_seconds"),
            data.get("computed_points"),
            data.get("reused_points"),
            data.get("pointwise_points"),
            tuple(str(n) for n in data.get("notes", ())),
            _identity_json(data.get("identity")),
            data.get("stopped"),
        )


@dataclass(frozen=True)
class Chunks(_Readable):
    """The finished chunks: their ids, and a record of each."""

    done: tuple[int, ...] = ()
    records: tuple[ChunkRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"done": list(self.done), "records": [r.to_json() for r in self.records]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Chunks | None:
        if data is None:
            return None
        return cls(
            tuple(int(c) for c in data.get("done", ())),
            tuple(ChunkRecord.from_json(r) for r in data.get("records", ())),
        )


# ---------------------------------------------------------------------------------- the manifest
@dataclass(frozen=True)
class Manifest(_Readable):
    """A sweep's manifest: everything needed to cite it and to redo it exactly.

    Attributes
    ----------
    format
        :data:`FORMAT`.
    model, baseline
        The swept model and its no-pledge baseline (``None`` if it declares none).
    concept, belief_policy, selection, selection_description
        The solution concept, the PBE belief policy, the selection rule and what it means.
    design
        The grid, or the sample's method, size, seed and bounds (:class:`DesignInfo`).
    fixed
        Values of the parameters fixed by the caller.
    n_points, chunk_size, n_chunks
        Points of the design, points per chunk, chunks.
    path_requested
        ``"auto"``, ``"compiled"`` or ``"pointwise"`` (what was asked; ``paths`` says what ran).
    path_choice
        Under ``path="auto"``, per role (``"model"``, ``"baseline"``), the path the sweep chose by
        cost and the estimate behind it (:mod:`deterrence.sweeps._choice`: seconds per point of
        the kernel and of the per-point solver, the kernel's undecided share, the compile left
        to pay, the two totals); ``None`` when no estimate was made (a path asked for, no kernel).
    solve_options, on_error
        Options of the per-point solves, and what a failing point does.
    title, parameters, varied, players, outcome_labels
        The model's title, its parameters (:class:`ParameterInfo`), the varied ones, its
        players and outcome labels (the table's ``payoff_`` and ``outcome_`` columns).
    backend, workers, scheduler
        Where the chunks ran.
    versions, command
        Package versions and the command line (of the last run).
    identity
        The code that computed the chunks (:func:`code_identity`: the version of ``deterrence``
        and a digest of its sources). A folder is resumed only by the same code, unless the
        caller allows another (:class:`~deterrence.errors.SweepVersionError`); manifests of
        earlier versions have none, and resume as they did.
    started, runs, status
        When the sweep first started, each run (:class:`RunRecord`), and :data:`STATUSES`:
        ``"running"`` (while the folder's lock is held; a manifest left ``"running"`` by a
        process killed outright is told apart by the free lock, see
        :func:`~deterrence.sweeps._storage.folder_state`), ``"complete"``, ``"interrupted"``
        (Ctrl-C) or ``"failed"`` (an error; the run's ``stopped`` says which).
    chunks
        The finished chunks (:class:`Chunks`).
    paths, n_rows, finished, elapsed_seconds
        Once complete: points per path (compiled, pointwise), table rows, when the last run
        finished and how long it took.
    """

    format: str = FORMAT
    model: ModelIdentity | None = None
    baseline: ModelIdentity | None = None
    concept: str = ""
    belief_policy: str = ""
    selection: str = ""
    design: DesignInfo | None = None
    fixed: Mapping[str, float] = field(default_factory=dict)
    n_points: int = 0
    chunk_size: int = 0
    path_requested: str = ""
    solve_options: Mapping[str, Any] = field(default_factory=dict)
    on_error: str = ""
    selection_description: str = ""
    title: str | None = None
    parameters: Mapping[str, ParameterInfo] = field(default_factory=dict)
    varied: tuple[str, ...] = ()
    players: tuple[str, ...] = ()
    outcome_labels: tuple[str, ...] = ()
    n_chunks: int = 0
    backend: str = ""
    workers: int | None = None
    scheduler: str | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    started: str = ""
    runs: tuple[RunRecord, ...] = ()
    status: str = ""
    chunks: Chunks | None = None
    paths: Mapping[str, int] | None = None
    n_rows: int | None = None
    finished: str | None = None
    elapsed_seconds: float | None = None
    identity: Mapping[str, str] | None = None
    path_choice: Mapping[str, Any] | None = None

    #: fields written to JSON even when empty (the others are left out while ``None``)
    _ALWAYS = ("model", "baseline", "title", "workers", "scheduler")

    @property
    def done(self) -> tuple[int, ...]:
        """Ids of the finished chunks."""
        return self.chunks.done if self.chunks is not None else ()

    def replace(self, **changes: Any) -> Manifest:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def differences(self, other: Manifest) -> list[str]:
        """The :data:`SPEC_FIELDS` on which two manifests disagree (empty: the same sweep). A grid
        whose parameters come in another order numbers its points otherwise: its design differs."""
        mine, theirs = self._spec(ordered=True), other._spec(ordered=True)
        differ = [k for k in SPEC_FIELDS if mine.get(k) != theirs.get(k)]
        if "design" in differ and self._spec()["design"] == other._spec()["design"]:
            differ[differ.index("design")] = f"design ({ORDER_DIFFERS})"
        return differ

    def fingerprint(self) -> str:
        """A digest of the :data:`SPEC_FIELDS` (a grid's parameters in their order): two manifests
        of the same sweep have the same fingerprint, which every chunk file of the sweep carries."""
        return _digest(self._spec(ordered=True))

    def legacy_fingerprint(self) -> str:
        """The fingerprint earlier versions gave the sweep's chunk files, blind to the order of a
        grid's parameters: trusted only when the folder's manifest (which keeps the order) agrees."""
        return _digest(self._spec())

    def reusable_fingerprints(self, vouched: bool) -> set[str]:
        """The fingerprints of the chunk files this sweep reuses on resume: its own; with
        ``on_error="record"`` also those of the same sweep with ``on_error="raise"`` (every point
        of such a chunk was solved: recording errors would give the same rows); and, when the
        folder's manifest agrees with this sweep (``vouched``), the legacy ones of both."""
        variants = [self, *([self.replace(on_error="raise")] if self.on_error == "record" else [])]
        found = {m.fingerprint() for m in variants}
        return found | ({m.legacy_fingerprint() for m in variants} if vouched else set())

    def resumes(self, previous: Manifest) -> list[str]:
        """The :meth:`differences` that keep this sweep from resuming ``previous``'s folder: a sweep
        that raised at a failing point may go on recording errors (not the other way round)."""
        differ = previous.differences(self)
        if "on_error" in differ and (previous.on_error, self.on_error) == ("raise", "record"):
            differ.remove("on_error")
        return differ

    def _spec(self, ordered: bool = False) -> dict[str, Any]:
        """The JSON data of the :data:`SPEC_FIELDS`; ``ordered`` adds the order of a grid's parameters
        (JSON objects compare, and digest with sorted keys, regardless of their order)."""
        data = self.to_json()
        spec = {k: data.get(k) for k in SPEC_FIELDS}
        if ordered and self.design is not None and self.design.kind == "grid":
            spec["design"] = {**spec["design"], "order": list(self.design.grid or {})}
        return spec

    # ---------------------------------------------------------------- JSON
    def to_json(self) -> dict[str, Any]:
        """The manifest as the JSON data of ``manifest.json``."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.name not in self._ALWAYS:
                continue
            out[f.name] = _field_json(value)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        """Read the data of a ``manifest.json`` (of this version or an earlier one).

        Raises
        ------
        SweepError
            If the data is not a sweep manifest or a field has the wrong shape.
        """
        if not isinstance(data, Mapping):
            raise SweepError(f"a sweep manifest is a JSON object, not {type(data).__name__}")
        try:
            return cls(**_typed_fields(data))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise SweepError(f"the sweep manifest is malformed ({type(exc).__name__}: {exc})") from None


def _identity_json(data: Any) -> dict[str, str] | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise TypeError(f"identity is {type(data).__name__}, not an object")
    return {str(k): str(v) for k, v in data.items()}


def code_identity() -> dict[str, str]:
    """What code computes a sweep's answers: the version of ``deterrence`` and a digest of the
    package's sources (``sources``: the path and content of every ``.py`` file of the package;
    it tells apart two states of a source checkout that carry the same version number). The
    models are identified apart (their files' SHA-256), and so are the solve options given."""
    from .. import __version__

    return {"deterrence": __version__, "sources": _sources_digest()}


@functools.cache
def _sources_digest() -> str:
    """The digest of the package's sources, computed once per process (a few megabytes read)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes()
        h.update(f"{path.relative_to(root).as_posix()}\0{len(text)}\0".encode())
        h.update(text)
    return h.hexdigest()[:16]


def describe_identity(identity: Mapping[str, str] | None) -> str:
    """``"deterrence 0.2.0 (sources 1a2b...)"``, or ``"an unrecorded version"``."""
    if not identity:
        return "an unrecorded version"
    sources = identity.get("sources")
    return f"deterrence {identity.get('deterrence', '?')}" + (f" (sources {sources})" if sources else "")


def _digest(spec: Mapping[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _field_json(value: Any) -> Any:
    if isinstance(value, (_Readable, DesignInfo)):
        return value.to_json()
    if isinstance(value, Mapping):
        return {k: _field_json(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_field_json(v) for v in value]
    return value


_PARTS: dict[str, Any] = {
    "model": ModelIdentity.from_json,
    "baseline": ModelIdentity.from_json,
    "design": lambda d: None if d is None else DesignInfo.from_json(d),
    "parameters": lambda d: {str(n): ParameterInfo.from_json(p) for n, p in d.items()},
    "runs": lambda d: tuple(RunRecord.from_json(r) for r in d),
    "chunks": Chunks.from_json,
    "identity": _identity_json,
    "varied": tuple,
    "players": tuple,
    "outcome_labels": tuple,
    "command": tuple,
}


def _typed_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    known = {f.name for f in dataclasses.fields(Manifest)}
    out = {}
    for key, value in data.items():
        if key in known:
            out[key] = _PARTS[key](value) if key in _PARTS else value
    return out


def check_format(data: Any, where: str) -> None:
    """Refuse JSON data that is not a deterrence sweep manifest (naming ``where`` it came from)."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise SweepError(f"{where}: holds something other than a deterrence sweep; choose another out=")


def chunk_records(records: Sequence[ChunkRecord]) -> Chunks:
    """The finished chunks of a list of records, by id."""
    ordered = sorted(records, key=lambda r: r.id)
    return Chunks(tuple(r.id for r in ordered), tuple(ordered))
