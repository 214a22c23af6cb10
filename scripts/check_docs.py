#!/usr/bin/env python3
"""Quality gates for the course's markdown (run by scripts/test.sh).

1. Every relative link in every markdown file resolves: the file exists and, for #anchors into
   markdown, the heading exists (GitHub's slug rules).
2. Every ```cpp block in a lesson (modules/, projects/, docs/, README files) compiles on its own with
   `g++ -std=c++20 -fsyntax-only -Isupport/include`, unless its info string says `fragment`
   (```cpp fragment). Results are cached by content in build/docs-cache.
"""
import concurrent.futures
import hashlib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_DIRS = {".git", "build", ".conclab", "node_modules"}
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([^\n`]*)$")


def markdown_files():
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for f in filenames:
            if f.endswith(".md"):
                yield os.path.join(dirpath, f)


def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"[`*_~]", "", s)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def split_blocks(text):
    """Yields (kind, info, body, line) for fenced blocks, and ('text', None, chunk, line) for the rest."""
    lines = text.split("\n")
    i, out, buf, buf_start = 0, [], [], 1
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            out.append(("text", None, "\n".join(buf), buf_start))
            fence, info, start = m.group(2), m.group(3).strip(), i + 1
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            out.append(("code", info, "\n".join(body), start))
            i += 1
            buf, buf_start = [], i + 1
            continue
        buf.append(lines[i])
        i += 1
    out.append(("text", None, "\n".join(buf), buf_start))
    return out


def anchors_of(path, cache={}):
    if path not in cache:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        found, counts = set(), {}
        for kind, _, chunk, _ in split_blocks(text):
            if kind != "text":
                continue
            for line in chunk.split("\n"):
                m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if m:
                    base = slug(m.group(1))
                    n = counts.get(base, 0)
                    found.add(base if n == 0 else f"{base}-{n}")
                    counts[base] = n + 1
        cache[path] = found
    return cache[path]


def check_links(path, text, problems):
    for kind, _, chunk, start in split_blocks(text):
        if kind != "text":
            continue
        chunk = re.sub(r"`[^`\n]*`", "", chunk)  # links inside inline code are not links
        for offset, line in enumerate(chunk.split("\n")):
            for m in LINK.finditer(line):
                target = m.group(1) or m.group(2)
                if re.match(r"^[a-z]+:", target) or target.startswith("//"):
                    continue  # http:, https:, mailto:
                file_part, _, anchor = target.partition("#")
                dest = path if not file_part else os.path.normpath(os.path.join(os.path.dirname(path), file_part))
                where = f"{os.path.relpath(path, ROOT)}:{start + offset}"
                if not os.path.exists(dest):
                    problems.append(f"{where}: broken link '{target}' (no {os.path.relpath(dest, ROOT)})")
                elif anchor and dest.endswith(".md") and anchor not in anchors_of(dest):
                    problems.append(f"{where}: link '{target}' names a heading that does not exist")


def cpp_blocks(path, text):
    rel = os.path.relpath(path, ROOT)
    if rel.startswith("tools/conclab/tests/fixture"):
        return
    for kind, info, body, start in split_blocks(text):
        if kind == "code" and info.split()[:1] in (["cpp"], ["c++"]) and "fragment" not in info.split()[1:]:
            yield rel, start, body


def compile_block(args):
    rel, line, body = args
    cache_dir = os.path.join(ROOT, "build", "docs-cache")
    os.makedirs(cache_dir, exist_ok=True)
    key = hashlib.sha256(body.encode()).hexdigest()
    if os.path.exists(os.path.join(cache_dir, key)):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(body + "\n")
        name = f.name
    try:
        r = subprocess.run(["g++", "-std=c++20", "-fsyntax-only", "-Wall", "-I", os.path.join(ROOT, "support/include"), name],
                           capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(name)
    if r.returncode != 0:
        first = next((l for l in r.stderr.splitlines() if "error" in l), r.stderr.strip()[:300])
        return f"{rel}:{line}: this ```cpp block does not compile (mark it ```cpp fragment if it is not meant to): {first.replace(name, 'block')}"
    open(os.path.join(cache_dir, key), "w").close()
    return None


def main():
    problems, blocks = [], []
    files = sorted(markdown_files())
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        check_links(path, text, problems)
        blocks.extend(cpp_blocks(path, text))
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        problems.extend(p for p in pool.map(compile_block, blocks) if p)
    for p in problems:
        print(p)
    print(f"docs: {len(files)} markdown files, {len(blocks)} C++ blocks: "
          f"{'no problems' if not problems else str(len(problems)) + ' problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
