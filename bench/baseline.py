"""What a user would build instead: a plain LangChain retrieval chain over Chroma, same embedding model.

It uses the very same embedder object as Tandem (same model, same dynamic padding), so the comparison
measures the pipelines, not the embedding wrapper; the LLM is a fake that answers instantly.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import FakeListChatModel
from langchain_core.prompts import ChatPromptTemplate

from assistant.knowledge.chunking import chunk_document
from assistant.knowledge.loading import discover_files, load_document
from assistant.retrieval.embeddings import Embedder


class SameModelEmbeddings(Embeddings):
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text])[0].tolist()  # type: ignore[no-any-return]


def build_baseline_chain(knowledge_dir: Path, embedder: Embedder, persist_dir: Path):  # type: ignore[no-untyped-def]
    from langchain_chroma import Chroma
    from langchain_classic.chains import create_retrieval_chain
    from langchain_classic.chains.combine_documents import create_stuff_documents_chain
    from langchain_core.documents import Document

    documents = [
        Document(page_content=chunk.text, metadata={"source": chunk.source, "section": chunk.section})
        for path, root in discover_files([knowledge_dir])
        for chunk in chunk_document(load_document(path, root))
    ]
    store = Chroma.from_documents(
        documents, SameModelEmbeddings(embedder), persist_directory=str(persist_dir), collection_name="baseline"
    )
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the context.\n\n{context}"), ("human", "{input}")]
    )
    llm = FakeListChatModel(responses=["An instant fake answer."])
    return create_retrieval_chain(store.as_retriever(search_kwargs={"k": 5}), create_stuff_documents_chain(llm, prompt))
