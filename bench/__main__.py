"""``python -m bench``: one table of Tandem's speed, written to bench/results/<date>.md.

Sections: ingest, offline answer latency by stage against the floor, the LangChain baseline, HTTP at
1/8/32 clients, LLM-path overhead against a stub, and HR reports at scale (when available).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import tempfile
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.services import build_services
from bench.baseline import build_baseline_chain
from bench.http import measure_http
from bench.ingest import measure_ingest, synthetic_corpus
from bench.latency import measure_baseline, measure_floor, measure_query_batching, measure_turns, qa_questions
from bench.llm_overhead import measure_llm_overhead
from bench.server import ServerProcess, create_participants, prepare_data_dir
from bench.stats import p50, p95

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    return f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Tandem benchmark")
    parser.add_argument("--http-seconds", type=float, default=15.0)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-hr", action="store_true")
    parser.add_argument("--hr-events", type=int, default=1_000_000)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    knowledge = PROJECT_ROOT / "knowledge"

    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as folder:
        root = Path(folder)
        settings = Settings(_env_file=None, data_dir=root / "data", knowledge_dir=knowledge)  # type: ignore[call-arg]
        services = build_services(settings)
        embedder = services.embedder

        for figures in (
            measure_ingest("shipped guidelines", knowledge, root / "ingest-shipped", embedder),
            measure_ingest(
                "synthetic corpus", synthetic_corpus(root / "synthetic", knowledge), root / "ingest-syn", embedder
            ),
        ):
            rows.append(
                (
                    f"ingest: {figures.name}",
                    f"{figures.chunks} chunks + {figures.sentences} sentences in "
                    f"{figures.seconds:.1f} s = {figures.chunks_per_second:.1f} chunks/s",
                    "",
                )
            )
            rows.append(
                (
                    f"re-ingest unchanged: {figures.name}",
                    f"{figures.reingest_seconds * 1000:.0f} ms, {figures.reingest_embeddings} embeddings",
                    "<= 1 s, 0 embeddings",
                )
            )

        services.ensure_knowledge()
        questions = qa_questions()
        measure_turns(services, questions[:10])
        floor = measure_floor(services, questions)
        stages, turns = measure_turns(services, questions)
        rows.append(("floor: query embedding + vector search", f"p50 {p50(floor):.1f} ms, p95 {p95(floor):.1f} ms", ""))
        for name, median, tail in stages.rows():
            rows.append((f"  turn stage: {name}", f"p50 {median:.2f} ms, p95 {tail:.2f} ms", ""))
        ratio = p50(turns) / p50(floor)
        rows.append(
            (
                "offline turn (store, retrieve, compose, store)",
                f"p50 {p50(turns):.1f} ms, p95 {p95(turns):.1f} ms; {ratio:.2f} x floor",
                "<= 1.5 x floor",
            )
        )

        batching = measure_query_batching(services, questions)
        rows.append(
            (
                "query embeddings batched as concurrent requests would be (new questions)",
                "; ".join(f"{size} a call: {ms:.1f} ms a query" for size, ms in batching.items()),
                "",
            )
        )

        chain = build_baseline_chain(knowledge, embedder, root / "baseline")
        measure_baseline(chain, questions[:10], services)
        baseline = measure_baseline(chain, questions, services)
        tandem_rate = 1000 / (sum(turns) / len(turns))
        baseline_rate = 1000 / (sum(baseline) / len(baseline))
        rows.append(
            (
                "baseline: LangChain retrieval chain, fake LLM",
                f"p50 {p50(baseline):.1f} ms, {baseline_rate:.1f} answers/s",
                "",
            )
        )
        rows.append(
            (
                "Tandem offline turn throughput (1 thread)",
                f"{tandem_rate:.1f} answers/s = {tandem_rate / baseline_rate:.2f} x baseline",
                ">= 2 x baseline",
            )
        )

        overhead = measure_llm_overhead(services, questions[:40])
        rows.append(
            (
                "Tandem's own LLM overhead over the bare openai SDK: time to first token",
                f"p50 {overhead.own_ttft_p50:.1f} ms (prompt + gateway {overhead.gateway_ttft_p50:.1f} ms "
                f"- SDK {overhead.sdk_ttft_p50:.1f} ms)",
                "<= 2 ms",
            )
        )
        rows.append(
            (
                "Tandem's own LLM overhead over the bare openai SDK: total time",
                f"p50 {overhead.own_total_p50:.1f} ms (prompt + gateway {overhead.gateway_total_p50:.1f} ms "
                f"- SDK {overhead.sdk_total_p50:.1f} ms)",
                "<= 3 ms",
            )
        )
        rows.append(
            (
                "  whole answer path over the stub, new question (retrieval included): first token / total",
                f"p50 {overhead.ttft_overhead_p50:.1f} / {overhead.total_overhead_p50:.1f} ms, "
                f"p95 {overhead.ttft_overhead_p95:.1f} / {overhead.total_overhead_p95:.1f} ms",
                "",
            )
        )
        rows.append(
            (
                "  for reference: retrieval of a new question (uncached)",
                f"p50 {overhead.retrieval_p50:.1f} ms",
                "",
            )
        )
        rows.append(
            (
                "  for reference: openai SDK alone on the stub (first token / total)",
                f"p50 {overhead.sdk_ttft_p50:.1f} / {overhead.sdk_total_p50:.1f} ms",
                "",
            )
        )
        rows.append(
            (
                "  for reference: LangChain ChatOpenAI alone on the stub (first token / total)",
                f"p50 {overhead.langchain_ttft_p50:.1f} / {overhead.langchain_total_p50:.1f} ms",
                "",
            )
        )
        services.close()

        if not args.skip_http:
            for workers, levels in ((1, (1, 8, 32)), (2, (32,))):
                data_dir = root / f"http-{workers}"
                prepare_data_dir(data_dir, root / "data" / "chroma")
                server = ServerProcess(data_dir, workers=workers)
                tokens = create_participants(server.database_url, 32, data_dir)
                server.start()
                try:
                    for clients in levels:
                        hf = asyncio.run(measure_http(server, tokens, clients, args.http_seconds))
                        rows.append(
                            (
                                f"HTTP, {clients} concurrent clients, {workers} uvicorn worker{'s' * (workers > 1)}",
                                f"{hf.throughput:.1f} req/s; p50 {hf.p50:.0f} / p95 {hf.p95:.0f} / "
                                f"p99 {hf.p99:.0f} ms; {hf.errors} errors; server RSS "
                                f"{hf.rss_mb:.0f} MB",
                                "p95 <= 100 ms at 32" if clients == 32 else "",
                            )
                        )
                finally:
                    server.stop()

        if not args.skip_hr:
            try:
                from bench.hr import measure_hr_reports
            except ImportError:
                rows.append(("HR reports at scale", "not measured: bench/hr.py is missing", ""))
            else:
                rows.extend(measure_hr_reports(root, args.hr_events))

    today = dt.date.today().isoformat()
    table = ["| measure | result | target |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(
        [f"# Tandem benchmark, {today}", "", f"Machine: {machine()}", "", "Command: `python -m bench`", "", *table, ""]
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{today}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
