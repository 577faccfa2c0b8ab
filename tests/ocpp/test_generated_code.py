"""Source we generate runs, from any number of threads at once."""

import threading

from app.ocpp.generated_code import run_generated


def test_generated_source_runs_in_its_namespace():
    namespace = {"base": 40}
    run_generated("def answer():\n    return base + 2\n", "<test>", namespace)
    assert namespace["answer"]() == 42


def test_threads_generating_at_once_each_get_their_own_function():
    deep = "(" * 40 + "n" + ")" * 40      # deep enough for the AST checks to recurse
    results: dict[int, int] = {}

    def build(n: int) -> None:
        for _ in range(50):
            namespace = {"n": n}
            run_generated(f"def value():\n    return {deep}\n", f"<thread {n}>", namespace)
            results[n] = namespace["value"]()

    threads = [threading.Thread(target=build, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {n: n for n in range(8)}
