"""Read guideline files (Markdown with front matter, plain text, PDF) into documents."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter

SUPPORTED_SUFFIXES = {".md", ".markdown", ".txt", ".pdf"}


class UnreadableFileError(Exception):
    """A file that cannot be read as text; ingest skips it with a warning."""


@dataclass(frozen=True)
class SourceDocument:
    source: str
    text: str
    file_hash: str
    kind: str
    metadata: dict[str, str] = field(default_factory=dict)


def display_source(path: Path, root: Path | None = None) -> str:
    """The stable name a citation shows: ``knowledge/<file>`` for the shipped knowledge base."""
    resolved = path.resolve()
    for base in [root.resolve().parent] if root else []:
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    cwd = Path.cwd().resolve()
    if resolved.is_relative_to(cwd):
        return resolved.relative_to(cwd).as_posix()
    return resolved.as_posix()


def discover_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every supported file under the given files or folders, sorted."""
    for root in paths:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield path, root
        elif root.is_file():
            yield root, root.parent


MAX_DOCUMENT_CHARS = 1_000_000
"""A guideline whose text is longer is skipped with a warning (about 400 pages; indexing a 4.9 MB file
took 16 minutes here and its thousands of chunks would crowd every other section out of retrieval)."""


def load_document(path: Path, root: Path) -> SourceDocument:
    raw = path.read_bytes()
    file_hash = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    source = display_source(path, root)
    document = _read(path, source, raw, file_hash, suffix)
    if len(document.text) > MAX_DOCUMENT_CHARS:
        raise UnreadableFileError(
            f"{source} holds {len(document.text):,} characters of text; at most {MAX_DOCUMENT_CHARS:,} are indexed"
        )
    return document


def _read(path: Path, source: str, raw: bytes, file_hash: str, suffix: str) -> SourceDocument:
    if suffix == ".pdf":
        return SourceDocument(source, _pdf_text_once(path, file_hash), file_hash, "pdf", {"title": path.stem})
    if b"\x00" in raw[:8192]:
        raise UnreadableFileError(f"{source} looks binary")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(f"{source} is not UTF-8 text") from exc
    if suffix in {".md", ".markdown"}:
        try:
            post = frontmatter.loads(text)
        except Exception as exc:  # a malformed front matter block: YAML errors of several kinds
            raise UnreadableFileError(f"{source} has unreadable front matter: {exc}") from exc
        meta = {k: str(v) for k, v in post.metadata.items() if isinstance(v, str | int | float)}
        meta.setdefault("title", path.stem.replace("-", " ").capitalize())
        return SourceDocument(source, post.content, file_hash, "markdown", meta)
    return SourceDocument(source, text, file_hash, "text", {"title": path.stem})


MAX_PDF_PAGES = 2000
"""A guideline longer than this is refused: reading it would hold the index (and memory) for minutes."""


PDF_CACHE_SIZE = 16
_pdf_cache: OrderedDict[str, str | UnreadableFileError] = OrderedDict()
_pdf_cache_lock = threading.Lock()


def _pdf_text_once(path: Path, file_hash: str) -> str:
    """A PDF's text (or why it is unreadable), parsed once per distinct file content: a page view or a
    re-index of an unchanged PDF reads the cache instead of parsing thousands of pages again."""
    with _pdf_cache_lock:
        cached = _pdf_cache.get(file_hash)
        if cached is not None:
            _pdf_cache.move_to_end(file_hash)
    if cached is None:
        try:
            cached = _pdf_text(path)
        except UnreadableFileError as exc:
            cached = exc
        with _pdf_cache_lock:
            _pdf_cache[file_hash] = cached
            while len(_pdf_cache) > PDF_CACHE_SIZE:
                _pdf_cache.popitem(last=False)
    if isinstance(cached, UnreadableFileError):
        raise UnreadableFileError(str(cached))
    return cached


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnreadableFileError(f"{path.name} has {len(reader.pages)} pages; at most {MAX_PDF_PAGES} are read")
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except UnreadableFileError:
        raise
    except (PyPdfError, ValueError, OSError, RecursionError, MemoryError) as exc:
        # every pypdf error (a stream that inflates past its limit is LimitReachedError) means "not readable":
        # the file is skipped with a warning instead of failing the whole re-index or the start-up
        raise UnreadableFileError(f"{path.name} is not a readable PDF: {type(exc).__name__}") from exc
