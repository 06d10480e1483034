"""The offline default context encoder and exemplar retriever for the pipeline.

One ImageNet EfficientNet-Lite0 serves both the scene classifier (context) and the visual
embedder (retrieval), and the context encoder's MiniLM also embeds retrieval queries, so each
model is loaded once per process: a process forked from the one that loaded them (a
multiprocessing Pool with fork, Linux's default) loads its own at its first photo, since the
text reader's thread pool does not survive fork (a forked worker waited forever on it).

The context encoder is loaded with the pipeline (every photo uses it). The retriever (the
exemplar library, and MiniLM and the ImageNet encoder where context is off) is loaded at the
first photo that has something to search for, a place in its context or a hint: without
one retrieval gives no exemplars, and `--no-context` without a hint loaded them for nothing
(130-150 MB of memory and 0.3-0.7 s of CPU at every start of the CLI, `serve` and `web`).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import torch
from PIL import Image

from colorizer.errors import ChronochromeError, InputTypeError
from colorizer.model.encoder import load_imagenet_encoder
from context.config import ContextConfig
from context.types import Caption, SceneContext
from retrieval.retriever import RetrieverConfig, has_query
from retrieval.types import RetrievedExemplar

# (gray photo, hints, captions) -> what the photo's context is, with evidence.
ContextFn = Callable[[Image.Image, str | None, Sequence[Caption]], SceneContext]
# (context, gray photo, hints understood as a query or None) -> exemplars, best first.
ExemplarFn = Callable[[SceneContext, Image.Image, str | None], Sequence[RetrievedExemplar]]
# A library exemplar's id -> the path of its image (a reference hint may name one); a
# `KeyError` for an id the library does not hold.
ExemplarLookup = Callable[[str], str]

# What loading the library and its models raises when its files are at fault (a disk full
# mid-build, a folder this account cannot read, an index cut short); a bug still propagates.
LOAD_ERRORS = (OSError, ValueError, RuntimeError)


class RetrievalLoadError(ChronochromeError):
    """The exemplar library or its models did not load at the first photo that needed them.

    `library` is the folder (`--library`), or "default" for the curated library; `cause` is
    what failed ("ValueError: ... text.faiss is cut short"), so a front end can say which
    library and why without parsing the message (the service answers 503, `reason`)."""

    reason: ClassVar[str] = "exemplar_library_unavailable"

    def __init__(self, message: str, library: str = "default", cause: str = "") -> None:
        super().__init__(message)
        self.library = library
        self.cause = cause

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        # Pickled with its attributes (out of process pools), as ImageLoadError is.
        return (type(self), (str(self), self.library, self.cause))


class FailedBefore(Exception):
    """`PerProcess.get()` after its build failed in this process, with what it reads unchanged:
    it is not tried again."""


class PerProcess:
    """What `build()` returns, built once per process: at the first `get()`, or at once with
    `eager` (its errors then come from `from_pretrained`). A process forked from the one that
    built it builds its own, since thread pools and inference sessions hold threads that a
    forked child does not have. Threads calling `get()` together build it once; the others
    wait for it whole.

    A build that fails is remembered for the process: the later `get()`s raise `FailedBefore`
    at once instead of building again. A library whose files are at fault fails the same way
    at every photo, and each try cost seconds (MiniLM, the indexes, the curated library's
    minute-long build) and printed the same long error per photo of a batch.

    `state` (a cheap function, e.g. `library_state` of the folder `build` reads) lifts that
    memory when what the build reads changes: a failure is remembered only while `state()`
    returns what it did then, and a value built from one state is built again at another. So
    a `serve` whose library folder was broken, and was then rebuilt or repaired, takes the
    fixed library at its next photo without a restart, and never serves one that was
    replaced under it (whose images `--overwrite` removed)."""

    def __init__(self, build: Callable[[], Any], eager: bool = False,
                 state: Callable[[], Hashable] | None = None) -> None:
        self._build = build
        self._state = state or (lambda: None)
        self._lock = threading.Lock()
        self._pid: int | None = None  # the process `_value` was built in
        self._value: Any = None
        self._built_from: Hashable = None  # `state()` when `_value` was built
        # (process, state, "ErrorType: message") of a failed build; the text only, so the
        # failed build's frames (a half-loaded library) are not kept alive with its traceback.
        self._failure: tuple[int, Hashable, str] | None = None
        _instances.add(self)
        if eager:
            self.get()

    def get(self) -> Any:
        state = self._state()
        if self._pid != os.getpid() or state != self._built_from:
            with self._lock:
                if self._pid != os.getpid() or state != self._built_from:
                    value = self._build_once(state)
                    self._value, self._built_from = value, state  # the value first: a
                    self._pid = os.getpid()                       # thread seeing the pid sees it
        return self._value

    def _build_once(self, state: Hashable) -> Any:
        pid = os.getpid()
        if self._failure is not None and self._failure[:2] == (pid, state):
            raise FailedBefore(self._failure[2])
        try:
            # Built outside the caller's inference mode (its tensors would be inference
            # tensors) and without drawing from the caller's seeded stream.
            with torch.inference_mode(False), torch.random.fork_rng(devices=[]):
                return self._build()
        except Exception as exc:  # KeyboardInterrupt is not a failure of the part
            self._failure = (pid, state, f"{type(exc).__name__}: {exc}")
            raise


_instances: weakref.WeakSet[PerProcess] = weakref.WeakSet()


def _unlock_in_child() -> None:
    """A fork taken while another thread built a part copies its lock held, by a thread the
    child does not have: the child's first `get()` would wait forever."""
    for part in list(_instances):
        part._lock = threading.Lock()


os.register_at_fork(after_in_child=_unlock_in_child)


def _check_config(name: str, config: object, kind: type, module: str) -> None:
    """A config of the wrong kind (a dict of its fields) was an AttributeError from inside."""
    if config is not None and not isinstance(config, kind):
        raise InputTypeError(f"{name} must be a {module}.{kind.__name__} or None, not a "
                             f"{type(config).__name__}: {name}={kind.__name__}(...)")


def default_components(
    device: torch.device, context: bool = True, exemplars: bool = True,
    context_config: ContextConfig | None = None,
    retriever_config: RetrieverConfig | None = None,
) -> tuple[ContextFn | None, ExemplarFn | None, ExemplarLookup | None]:
    """(context, retrieval, the library's images by id); None for what is off."""
    _check_config("context_config", context_config, ContextConfig, "context.config")
    _check_config("retriever_config", retriever_config, RetrieverConfig, "retrieval.retriever")
    if not (context or exemplars):
        return None, None, None
    imagenet = PerProcess(lambda: load_imagenet_encoder(include_head=True).to(device))
    encoder = (PerProcess(lambda: _context_encoder(imagenet.get(), device, context_config),
                          eager=True) if context else None)
    context_fn = exemplar_fn = lookup = None
    if context:
        def context_fn(image: Image.Image, hints: str | None, captions: Sequence[Caption]
                       ) -> SceneContext:
            return encoder.get()(image, hint=hints, captions=captions)

    if exemplars:
        library_folder = retriever_config.library if retriever_config else None
        retriever = PerProcess(lambda: _retriever(
            imagenet.get(), device, encoder.get().embedder if encoder else None,
            retriever_config), state=_folder_state(library_folder))
        # Context off (--no-context: nothing inferred from the photo), the pipeline's context
        # is empty, and a hint reached retrieval as search words alone: "Crimea 1975" also
        # retrieved Khabarovsk, Ararat and Baku slides. The hint is still the user's word
        # on place and time, read from its text alone (no OCR, no scene model).
        hint_reader = None if context else PerProcess(lambda: _hint_reader(context_config))

        def read_hint(hints: str) -> SceneContext:
            """The hint read from its text alone; its `unknown` says what was not read, which
            the pipeline reports (colorizer.pipeline.hint_use) as with context on."""
            return hint_reader.get()(None, hint=hints)

        def exemplar_fn(ctx: SceneContext, image: Image.Image, hints: str | None
                        ) -> list[RetrievedExemplar]:
            if hint_reader is not None and hints and hints.strip():
                ctx = read_hint(hints)
                if ctx.unknown.get("hint"):  # no year, period or place: not used, as with
                    return []                # context on (its words retrieved any flag)
            if not has_query(ctx, hints):  # no exemplars, and nothing to load to say so
                return []
            return _loaded(retriever, library_folder)(ctx, image, query_text=hints)

        if hint_reader is not None:  # context off: the pipeline asks what the hint said
            exemplar_fn.read_hint = read_hint  # type: ignore[attr-defined]

        def lookup(ident: str) -> str:
            library = _loaded(retriever, library_folder).library
            return library.image_path(library[ident])

    return context_fn, exemplar_fn, lookup


def _context_encoder(imagenet: torch.nn.Module, device: torch.device,
                     config: ContextConfig | None) -> Any:
    from colorizer.model.scene import ImageNetSceneClassifier
    from context import ContextEncoder

    return ContextEncoder.from_default(
        config or ContextConfig(),
        scene_classifier=ImageNetSceneClassifier(imagenet, device=device))


def _hint_reader(config: ContextConfig | None) -> Any:
    """A context encoder that reads only text (a hint's place and time): the gazetteer, no
    OCR, scene model, CLIP or description embedding."""
    from context import ContextEncoder

    return ContextEncoder(replace(config or ContextConfig(), use_ocr=False, embed=False,
                                  clip_checkpoint=None))


def _retriever(imagenet: torch.nn.Module, device: torch.device, text_embedder: Any,
               config: RetrieverConfig | None) -> Any:
    """The exemplar retriever over the default library; MiniLM is loaded here only where no
    context encoder lends its own."""
    from colorizer.model.visual_embedder import LuminanceEncoderEmbedder
    from retrieval import ExemplarRetriever

    return ExemplarRetriever.from_default(
        visual_embedder=LuminanceEncoderEmbedder(imagenet, device=str(device)),
        text_embedder=text_embedder, config=config)


def _folder_state(library: str | None) -> Callable[[], Hashable] | None:
    """What says a user's library folder changed (`PerProcess`'s `state`). None for the
    curated library: it rebuilds a broken cache by itself, and what fails it is elsewhere
    (its models, a disk)."""
    if library is None or library == "default":
        return None
    from retrieval.library import library_state

    return lambda: library_state(library)


def _loaded(retriever: PerProcess, library: str | None) -> Any:
    """The retriever, loaded at its first use; a failure there is the photo's, in words: in
    full at the first photo that needed it, in one short sentence at the later ones (it is
    not tried again in this process; a user's library folder, once it changes)."""
    name = "default" if library is None else str(library)
    try:
        return retriever.get()
    except FailedBefore as failed:
        until = "in this run" if _folder_state(library) is None else \
            f"until {library} changes (a rebuild with --overwrite, a repair)"
        raise RetrievalLoadError(
            "the exemplar library did not load at an earlier photo and is not tried again "
            f"{until}; that photo's error says why and how to fix it", name,
            str(failed)) from None
    except LOAD_ERRORS as exc:
        raise RetrievalLoadError(
            f"the exemplar library did not load ({type(exc).__name__}: {exc}); "
            f"{_rebuild_advice(library)}, or colorize without retrieved exemplars "
            "(--no-exemplars; the Python API: exemplars=False)", name,
            f"{type(exc).__name__}: {exc}") from exc


def _rebuild_advice(library: str | None) -> str:
    if library is None or library == "default":
        return "rebuild it with `chronochrome library build --default`"
    return (f"check --library {library}, or rebuild it with `chronochrome library build "
            f"PHOTOS --metadata CSV --out {library} --overwrite`")
