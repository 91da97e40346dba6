from __future__ import annotations

import shutil
from collections import OrderedDict
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.knowledge.chunking import chunk_document
from assistant.knowledge.ingest import ingest_paths
from assistant.knowledge.loading import load_document
from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.retrieval.store import ChromaStore, make_vector_store

KNOWLEDGE = PROJECT_ROOT / "knowledge"


class CountingEmbedder:
    """The real model, counting how many texts it was asked to embed."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.calls = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls += len(texts)
        return self.inner.embed(texts)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> ChromaStore:
    return make_vector_store("", tmp_path / "chroma", "test")


def sources(store: ChromaStore) -> set[str]:
    return {c.source for c in store.all_chunks()}


def test_every_guideline_has_front_matter_and_sections() -> None:
    files = sorted(KNOWLEDGE.glob("*.md"))
    assert len(files) >= 10
    for path in files:
        document = load_document(path, KNOWLEDGE)
        assert document.metadata["audience"] in {"mentee", "mentor", "hr", "all"}, path.name
        assert document.metadata.get("topic"), path.name
        chunks = chunk_document(document)
        assert len({c.section for c in chunks}) >= 4, path.name
        assert all(c.source == f"knowledge/{path.name}" for c in chunks)


def test_second_run_embeds_nothing(corpus: Path, store: ChromaStore, embedder: MiniLMEmbedder) -> None:
    counting = CountingEmbedder(embedder)
    first = ingest_paths([corpus], store, counting)
    assert first.added == len(list(corpus.glob("*.md")))
    assert first.chunks_embedded > 0 and first.sentences_embedded > 0
    assert counting.calls == first.chunks_embedded + first.sentences_embedded

    counting.calls = 0
    second = ingest_paths([corpus], store, counting)
    assert counting.calls == 0
    assert second.unchanged == first.added
    assert (second.added, second.updated, second.removed) == (0, 0, 0)


def test_edit_reembeds_only_that_file(corpus: Path, store: ChromaStore, embedder: MiniLMEmbedder) -> None:
    counting = CountingEmbedder(embedder)
    ingest_paths([corpus], store, counting)
    edited = corpus / "common-challenges.md"
    edited.write_text(edited.read_text() + "\n## Rotating mentors\n\nA pair may rotate after six months.\n")
    chunks = chunk_document(load_document(edited, corpus))
    expected = len(chunks)

    counting.calls = 0
    summary = ingest_paths([corpus], store, counting)
    assert summary.updated == 1 and summary.added == 0
    assert counting.calls == expected + sum(len(c.sentences()) for c in chunks)
    texts = [c.text for c in store.all_chunks() if c.source.endswith("common-challenges.md")]
    assert any("rotate after six months" in t for t in texts)
    assert len(texts) == expected


def test_deleted_file_chunks_are_gone(corpus: Path, store: ChromaStore, embedder: MiniLMEmbedder) -> None:
    ingest_paths([corpus], store, embedder)
    (corpus / "matching-pairs.md").unlink()
    summary = ingest_paths([corpus], store, embedder)
    assert summary.removed == 1
    assert not any(s.endswith("matching-pairs.md") for s in sources(store))
    sentences, vectors = store.all_sentences()
    assert sentences and len(sentences) == len(vectors)
    assert not any(s.source.endswith("matching-pairs.md") for s in sentences)


def test_binary_and_broken_files_are_skipped_and_named(
    corpus: Path, store: ChromaStore, embedder: MiniLMEmbedder
) -> None:
    (corpus / "image.md").write_bytes(b"\x89PNG\x00\x00\x01binary")
    (corpus / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    summary = ingest_paths([corpus], store, embedder)
    skipped = " ".join(summary.skipped)
    assert "image.md" in skipped and "latin1.txt" in skipped and "broken.pdf" in skipped
    assert summary.added == len(list(corpus.glob("*.md"))) - 1


def test_plain_text_and_pdf_are_ingested(tmp_path: Path, store: ChromaStore, embedder: MiniLMEmbedder) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("Mentoring pairs meet every two weeks for forty-five minutes.")
    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    content = StreamObject()
    content.set_data(b"BT /F1 12 Tf 20 100 Td (Quarterly pulse surveys measure engagement.) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    with open(folder / "pulse.pdf", "wb") as handle:
        writer.write(handle)

    summary = ingest_paths([folder], store, embedder)
    assert summary.added == 2, summary.skipped
    texts = " ".join(c.text for c in store.all_chunks())
    assert "every two weeks" in texts and "pulse surveys" in texts


def test_interrupted_ingest_is_repaired(corpus: Path, store: ChromaStore, embedder: MiniLMEmbedder) -> None:
    """A file whose chunks were only partly written is treated as changed and replaced."""
    ingest_paths([corpus], store, embedder)
    victim = next(c for c in store.all_chunks() if c.source.endswith("planning-sessions.md"))
    store.collection.delete(ids=[victim.id])
    summary = ingest_paths([corpus], store, embedder)
    assert summary.updated == 1
    restored = [c for c in store.all_chunks() if c.source.endswith("planning-sessions.md")]
    assert len(restored) == restored[0].chunk_count


def test_a_pdf_longer_than_the_page_cap_is_refused_in_one_line(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    from assistant.knowledge.loading import MAX_PDF_PAGES, UnreadableFileError

    writer = PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=200, height=200)
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(UnreadableFileError, match=f"at most {MAX_PDF_PAGES}"):
        load_document(path, tmp_path)


def test_a_pdf_is_parsed_once_per_content_and_its_refusal_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfWriter

    import assistant.knowledge.loading as loading

    parsed: list[str] = []
    real = loading._pdf_text

    def counting(path: Path) -> str:
        parsed.append(path.name)
        return real(path)

    monkeypatch.setattr(loading, "_pdf_text", counting)
    monkeypatch.setattr(loading, "_pdf_cache", OrderedDict())  # another test may have parsed the same bytes
    writer = PdfWriter()
    for _ in range(loading.MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=200, height=200)
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    for _ in range(3):  # three page views of the same file
        with pytest.raises(loading.UnreadableFileError, match="at most"):
            load_document(path, tmp_path)
    assert parsed == ["huge.pdf"]
    small = PdfWriter()
    small.add_blank_page(width=200, height=200)
    with path.open("wb") as handle:  # new content under the same name is parsed again
        small.write(handle)
    assert load_document(path, tmp_path).kind == "pdf" and parsed == ["huge.pdf", "huge.pdf"]


def test_a_document_with_more_text_than_the_cap_is_skipped_in_one_line(tmp_path: Path) -> None:
    from assistant.knowledge.loading import MAX_DOCUMENT_CHARS, UnreadableFileError

    path = tmp_path / "huge.md"
    path.write_text("# Huge\n\n" + "word " * (MAX_DOCUMENT_CHARS // 5 + 1), encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="characters of text; at most"):
        load_document(path, tmp_path)
