"""`conclab watch`: re-checks on save (polling, no TTY needed) and stops cleanly on Ctrl-C."""

import signal
import subprocess
from pathlib import Path

import pytest

from conclab_testlib import DEFAULT_TIMEOUT, LAB_ID, command_env, kill_group, wait_for

pytestmark = pytest.mark.xdist_group("learner-course")


class Watch:
    """`conclab watch` running in the background, its output in a file."""

    def __init__(self, course, log: Path, *args: str):
        self.log = log
        self._out = open(log, "wb")
        self.proc = subprocess.Popen([str(course.conclab), "watch", LAB_ID, *args], cwd=course.root,
                                     env=command_env(), stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        def seen() -> bool:
            if self.proc.poll() is not None and text not in self.output():
                raise AssertionError(f"watch exited {self.proc.returncode} before printing {text!r}. "
                                     f"Output:\n{self.output()}")
            return text in self.output()

        wait_for(seen, timeout, f"watch to print {text!r}")

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"watch did not exit within {timeout}s. Output:\n{self.output()}") from None

    def close(self) -> None:
        if self.proc.poll() is None:
            kill_group(self.proc)
            self.proc.wait()
        self._out.close()


@pytest.fixture
def start_watch(built_course, scratch):
    watches = []

    def start(*args: str) -> Watch:
        w = Watch(built_course, scratch / f"watch{len(watches)}.log", *args)
        watches.append(w)
        return w

    yield start
    for w in watches:
        w.close()


def test_watch_rechecks_when_a_file_is_saved(built_course, start_watch):
    w = start_watch("--no-tsan", "--interval", "100", "--debounce", "100", "--max-checks", "2")
    w.wait_for_output("Waiting for changes")
    built_course.use_impl("pass")
    code = w.wait()
    out = w.output()
    assert code == 0, f"watch --max-checks 2 exited {code}, expected 0. Output:\n{out}"
    assert "check 1 at" in out, f"watch ran no first check. Output:\n{out}"
    assert "check 2 at" in out, f"watch did not re-check after the save. Output:\n{out}"
    assert "Verdict: passed" in out, f"the re-check of the correct version did not pass. Output:\n{out}"


def test_watch_stops_cleanly_on_ctrl_c(built_course, start_watch):
    w = start_watch("--no-tsan", "--interval", "100")
    w.wait_for_output("Waiting for changes")
    w.proc.send_signal(signal.SIGINT)
    code = w.wait()
    out = w.output()
    assert code == 0, f"watch exited {code} on SIGINT, expected 0. Output:\n{out}"
    assert "Stopped watching" in out, f"watch did not say it stopped. Output:\n{out}"
