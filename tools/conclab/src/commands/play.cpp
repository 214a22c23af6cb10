// `conclab play [LAB]`: you are the scheduler. A lab's naive version runs one of its sim tests under the
// explorer (conclab::sim, Mode::kPlay), and every time more than one thread could take the next step, the player
// picks which one; the game is won by reaching the failure the lab's [play] campaign names (a deadlock, a lost
// wakeup, a broken assertion). The idea is The Deadlock Empire's (a browser game for C#); this is its C++ form.
//
// Each move runs the test program again with the choices so far (CONCLAB_SIM_PLAY): the explorer is
// deterministic, so the same choices give the same schedule, and when the choices run out at a decision it writes
// the state (each thread's next line, the locks it holds, the steps so far) as JSON and ends. `--hint` asks it to
// search, under the same rules, for a schedule that fails, and shows its choices. The screen is redrawn as plain
// text (no curses), so it works in any terminal and in a pty under test.
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/build.hpp"
#include "engine/checker.hpp"
#include "engine/process.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Place {
  std::string file;  // relative to the course root when it is inside it
  int line = 0;
  std::string code;
};

struct ThreadView {
  int id = 0;
  std::string state;  // ready, starting, spinning, blocked, done
  std::string op;     // its next operation (ready), or the one it is blocked in
  std::string waits;  // blocked: what for
  Place place;
  std::vector<Place> holds;  // where it took each lock it holds
};

struct StepView {
  int thread = 0;
  std::string op;
  std::string result;
  Place place;
};

struct GameState {
  std::string status;  // choose, end, hint
  std::vector<int> options;
  std::vector<int> choices;
  std::string outcome;  // end / hint: passed, failed, deadlock, lost-wakeup, never-ends, not-deterministic
  std::string message;
  std::vector<ThreadView> threads;
  std::vector<StepView> trace;
  std::vector<std::string> failures;  // the test's own failed assertions (outcome "failed")
  json raw;
};

std::string outcome_words(const std::string& outcome) {
  if (outcome == "deadlock") return "a deadlock";
  if (outcome == "lost-wakeup") return "a lost wakeup";
  if (outcome == "failed") return "a broken assertion";
  if (outcome == "never-ends") return "a thread that never ends";
  if (outcome == "passed") return "a correct run";
  return outcome;
}

// Thread numbers as text: "1 1 2" (a line of moves to read), "1, 2" (who may move), "1,1,2" (for --moves).
std::string numbers(const std::vector<int>& v, std::string_view separator) {
  std::vector<std::string> items;
  for (int n : v) items.push_back(std::to_string(n));
  return join(items, separator);
}

// The outcomes a lab's game is won by, in words: "a deadlock or a lost wakeup".
std::string goal_words(const Lab& lab) {
  std::vector<std::string> words;
  for (const auto& o : lab.play->win) words.push_back(outcome_words(o));
  return join(words, " or ");
}

// The failure blocks GoogleTest printed ("file:line: Failure" and the message), without the explorer's own report.
std::vector<std::string> failure_blocks(const std::string& output) {
  std::vector<std::string> blocks;
  std::string current;
  bool in_block = false;
  auto flush = [&] {
    while (current.rfind("Failed\n", 0) == 0) current.erase(0, 7);  // ADD_FAILURE's first line (twice when re-raised)
    if (in_block && !trim(current).empty() && current.rfind("conclab::sim:", 0) != 0) blocks.push_back(trim(current));
    current.clear();
  };
  for (const auto& line : lines_of(output)) {
    if (line.ends_with(": Failure")) {
      flush();
      in_block = true;
      continue;
    }
    if (line.rfind("[  FAILED  ]", 0) == 0 || line.rfind("[       OK ]", 0) == 0) {
      flush();
      in_block = false;
      continue;
    }
    if (in_block) current += line + "\n";
  }
  flush();
  return blocks;
}

class Game {
 public:
  Game(fs::path binary, std::string test, fs::path root, std::chrono::seconds timeout)
      : binary_(std::move(binary)), test_(std::move(test)), root_(std::move(root)), timeout_(timeout) {}

  GameState play(const std::vector<int>& choices) const { return invoke({{"CONCLAB_SIM_PLAY", numbers(choices, ",")}}); }

  GameState hint() const { return invoke({{"CONCLAB_SIM_PLAY_HINT", "1"}, {"CONCLAB_SIM_PREEMPTIONS", "4"}}); }

 private:
  GameState invoke(std::map<std::string, std::string> env) const {
    char tmpl[] = "/tmp/conclab-play-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) throw UserError("Cannot create a temporary file for the game in /tmp.", exit_code::kEnvironment);
    ::close(fd);
    const fs::path state_file(tmpl);
    struct Remove {
      fs::path p;
      ~Remove() {
        std::error_code ec;
        fs::remove(p, ec);
      }
    } remove{state_file};
    env["CONCLAB_SIM_PLAY_OUT"] = state_file.string();
    ProcessOptions p;
    p.argv = {binary_.string(), "--gtest_filter=" + test_};
    p.env = std::move(env);
    p.timeout = timeout_;
    const ProcessResult r = run_process(p);
    if (r.interrupted) throw UserError("Interrupted.", exit_code::kInterrupted);
    std::ifstream in(state_file);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().empty()) {
      if (r.output.find("[ RUN      ]") == std::string::npos) {
        throw UserError(fmt::format("The game's test {} does not exist in this lab's test program: lab.toml [play] names a "
                                    "test that is not there (`conclab maint lint` checks it).",
                                    test_),
                        exit_code::kEnvironment);
      }
      throw UserError(fmt::format("The test program ended without telling the game where it was{}. Its output ends with:\n{}",
                                  r.timed_out ? " (it ran past the time limit)" : "", out::indent(tail(r.output, 1500), 2)),
                      exit_code::kEnvironment);
    }
    GameState s = parse(json::parse(text.str(), nullptr, false));
    if (s.outcome == "failed") s.failures = failure_blocks(relative_paths(r.output, root_));
    return s;
  }

  Place place(const json& j) const {
    Place p;
    p.line = j.value("line", 0);
    p.code = j.value("code", "");
    const std::string file = j.value("file", "");
    if (!file.empty()) {
      std::error_code ec;
      const fs::path canon = fs::weakly_canonical(file, ec);
      const fs::path rel = fs::relative(canon, root_, ec);
      p.file = !ec && !rel.empty() && rel.begin()->string() != ".." ? rel.string() : canon.filename().string();
    }
    return p;
  }

  GameState parse(const json& j) const {
    if (j.is_discarded() || !j.is_object()) throw UserError("The test program wrote a game state conclab cannot read.", exit_code::kEnvironment);
    GameState s;
    s.raw = j;
    s.status = j.value("status", "");
    s.options = j.value("options", std::vector<int>{});
    s.choices = j.value("choices", std::vector<int>{});
    s.outcome = j.value("outcome", "");
    s.message = relative_paths(j.value("message", ""), root_);
    for (const auto& t : j.value("threads", json::array())) {
      ThreadView v;
      v.id = t.value("id", 0);
      v.state = t.value("state", "");
      v.op = t.value("op", "");
      v.waits = t.value("waits", "");
      v.place = place(t);
      for (const auto& h : t.value("holds", json::array())) v.holds.push_back(place(h));
      s.threads.push_back(std::move(v));
    }
    for (const auto& st : j.value("trace", json::array())) {
      s.trace.push_back({st.value("thread", 0), st.value("op", ""), st.value("result", ""), place(st)});
    }
    return s;
  }

  fs::path binary_;
  std::string test_;
  fs::path root_;
  std::chrono::seconds timeout_;
};

int terminal_width() {
  winsize w{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col >= 40) return w.ws_col;
  if (const char* c = std::getenv("COLUMNS"); c != nullptr && std::atoi(c) >= 40) return std::atoi(c);
  return 100;
}

std::string fit(const std::string& s, std::size_t width) {
  if (s.size() <= width) return s + std::string(width - s.size(), ' ');
  return width <= 3 ? s.substr(0, width) : s.substr(0, width - 3) + "...";
}

std::string short_place(const Place& p) {
  if (p.line == 0) return "";
  return fs::path(p.file).filename().string() + ":" + std::to_string(p.line);
}

class PlayCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("lab", lab_, "Lab id (03.02) or name; default: the one you are on");
    app.option("--against", against_, "Play another version: learner (your code), improved, final, or wrong/<slug> (default: naive)");
    app.flag("--hint", hint_, "Show a schedule that wins, move by move, and exit");
    app.option("--moves", moves_, "Play these moves without asking (comma-separated thread numbers, e.g. 1,1,2) and show where they lead");
    app.flag("--json", json_, "With --moves or --hint: the game's state as JSON");
  }
  bool machine_output() const override { return json_; }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    const Lab& lab = pick_lab(ctx);
    const PlayCampaign& campaign = *lab.play;
    const std::string who = against_.empty() ? std::string("naive") : against_;
    check_variant(lab, who);
    if (const auto blind = sim_blind_spots(ctx.course, lab, who); !blind.empty()) {
      fmt::print("{}\n", out::red("The explorer cannot see what this code does, so it cannot be played:"));
      for (const auto& b : blind) fmt::print("  {}\n", b);
      return exit_code::kNotPassed;
    }
    std::optional<std::vector<int>> scripted;
    if (!moves_.empty()) scripted = parse_moves(moves_);
    if (!scripted && !hint_ && (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0)) {
      throw UserError(fmt::format("conclab play asks you for every move, so it needs a terminal. Without one, give the moves: "
                                  "`conclab play {0} --moves 1,2,1`, or see a winning line with `conclab play {0} --hint`.",
                                  lab.id),
                      exit_code::kUsage);
    }

    const std::string target = lab.target(who);
    if (!json_) {
      fmt::print("{}\n", out::dim(fmt::format("Building lab {} ({}) for the explorer (the sim build)...", lab.id, who)));
      std::fflush(stdout);
    }
    const BuildResult built = build_targets(ctx.course.root, BuildKind::kSim, {target});
    if (built.interrupted) return exit_code::kInterrupted;
    if (!built.ok) {
      fmt::print("{}\n{}\n", out::red(built.configure_failed ? "The sim build failed:" : "It does not compile:"), out::indent(built.first_error, 2));
      return built.configure_failed ? exit_code::kEnvironment : exit_code::kNoCompile;
    }
    const Game game(target_binary(build_dir(ctx.course.root, BuildKind::kSim), target), campaign.test, ctx.course.root,
                    std::chrono::seconds(std::max(30, lab.timeout_seconds)));

    if (hint_) return show_hint(lab, who, game);
    if (scripted) return play_scripted(lab, who, game, *scripted);
    return play_interactive(lab, who, game);
  }

 private:
  const Lab& pick_lab(const Context& ctx) const {
    std::vector<std::string> playable;
    for (const auto& l : ctx.course.labs) {
      if (l.play) playable.push_back(l.id);
    }
    const std::string others = playable.empty() ? "No lab of this course has one yet." : "Labs with one: " + join(playable) + ".";
    const Lab& lab = lab_or_current(ctx, lab_);
    if (!lab.play) {
      throw UserError(fmt::format("Lab {} has no game (its lab.toml has no [play] section). {}", lab.id, others), exit_code::kUsage);
    }
    return lab;
  }

  void check_variant(const Lab& lab, const std::string& who) const {
    if (who == kLearner) return;
    const auto on_disk = lab.variants_on_disk();
    if (std::find(on_disk.begin(), on_disk.end(), who) == on_disk.end()) {
      throw UserError(fmt::format("Lab {} has no version '{}' to play: use learner, {} (`conclab solution {}` lists them).", lab.id, who,
                                  join(on_disk), lab.id),
                      exit_code::kUsage);
    }
  }

  static std::vector<int> parse_moves(const std::string& text) {
    std::vector<int> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
      item = trim(item);
      const bool digits = !item.empty() && item.size() <= 3 && std::all_of(item.begin(), item.end(), [](unsigned char c) { return std::isdigit(c); });
      if (!digits) {
        throw UserError(fmt::format("'{}' is not a list of moves: give thread numbers separated by commas, e.g. --moves 1,1,2.", text),
                        exit_code::kUsage);
      }
      out.push_back(std::stoi(item));
    }
    return out;
  }

  bool won(const Lab& lab, const GameState& s) const {
    const auto& win = lab.play->win;
    return s.status == "end" && std::find(win.begin(), win.end(), s.outcome) != win.end();
  }

  // The screen: the goal, the steps so far in one column per thread, where each thread is now.
  void draw(const Lab& lab, const std::string& who, const GameState& s) const {
    const int width = terminal_width();
    fmt::print("{} {} · {}\n", out::bold(fmt::format("conclab play {}", lab.id)), lab.title,
               out::dim(fmt::format("you are the scheduler of {}'s {}", who == kLearner ? std::string("your code") : "the " + who + " version",
                                    lab.play->test)));
    fmt::print("{} {}\n\n", out::cyan("Goal:"), lab.play->goal);

    const std::size_t columns = std::max<std::size_t>(1, s.threads.size());
    const std::size_t col = std::max<std::size_t>(16, (static_cast<std::size_t>(width) - 6) / columns);
    std::string header = "     ";
    for (const auto& t : s.threads) header += " " + fit(t.id == 0 ? "T0 (the test)" : fmt::format("T{}", t.id), col - 1);
    fmt::print("{}\n", out::bold(header));
    constexpr std::size_t kShown = 18;
    const std::size_t first = s.trace.size() > kShown ? s.trace.size() - kShown : 0;
    if (first > 0) fmt::print("{}\n", out::dim(fmt::format("      ({} earlier steps)", first)));
    for (std::size_t i = first; i < s.trace.size(); ++i) {
      const StepView& st = s.trace[i];
      std::string row = fmt::format("{:>4}  ", i + 1);
      for (const auto& t : s.threads) {
        if (t.id != st.thread) {
          row += std::string(col, ' ');
          continue;
        }
        // The line first, so that a narrow column cuts the result, never where the step was.
        std::string where = short_place(st.place);
        if (const auto at = where.find("_test.cpp:"); at != std::string::npos) where = "test" + where.substr(at + 9);  // "test:140"
        const std::string cell = (where.empty() ? "" : where + " ") + st.op + (st.result.empty() ? "" : " " + st.result);
        row += fit(cell, col - 1) + " ";
      }
      while (!row.empty() && row.back() == ' ') row.pop_back();
      fmt::print("{}\n", row);
    }
    if (s.trace.empty()) fmt::print("{}\n", out::dim("      (no steps yet)"));

    fmt::print("\n{}\n", out::bold(s.status == "end" ? "Where each thread ended:" : "Where each thread is now:"));
    for (const auto& t : s.threads) {
      std::string state;
      if (t.state == "done") {
        state = "finished";
      } else if (t.state == "blocked") {
        state = out::red("blocked") + ": " + t.waits;
      } else if (t.state == "starting") {
        state = "about to start";
      } else {
        state = fmt::format("{}next: {}", t.state == "spinning" ? "spinning; " : "", t.op);
      }
      fmt::print("  T{}  {}\n", t.id, state);
      if (t.state != "done" && t.state != "starting" && t.place.line > 0) {
        fmt::print("      {}  {}\n", out::dim(short_place(t.place)), t.place.code);
      }
      for (const auto& h : t.holds) fmt::print("      holds the lock taken at {}  {}\n", out::dim(short_place(h)), h.code);
    }
  }

  // After the last step: won, passed, or broken another way.
  void draw_end(const Lab& lab, const GameState& s) const {
    fmt::print("\n");
    if (won(lab, s)) {
      const bool race = s.outcome == "failed" && s.failures.empty() && s.message.rfind("data race", 0) == 0;
      fmt::print("{}\n", out::green(out::bold(fmt::format("You win: {} in {} steps.", race ? "a data race" : outcome_words(s.outcome), s.trace.size()))));
    } else if (s.outcome == "passed") {
      fmt::print("{}\n", out::yellow("The program finished and nothing broke on this schedule. The bug is still there: "
                                     "choose differently (u undoes a move, r starts again)."));
      return;
    } else if (s.outcome == "not-deterministic") {
      fmt::print("{}\n", out::red(s.message));
      return;
    } else {
      fmt::print("{}\n", out::yellow(fmt::format("It broke, with {}, but the goal asks for {}: close, try again.", outcome_words(s.outcome),
                                                 goal_words(lab))));
    }
    for (const auto& f : s.failures) fmt::print("{}\n", out::indent(f, 2));
    // The explorer's own words when no assertion of the test spoke (a deadlock, a data race, a lost wakeup).
    if (!s.message.empty() && (s.outcome != "failed" || s.failures.empty())) fmt::print("{}\n", out::indent(s.message, 2));
    if (won(lab, s)) {
      fmt::print("\nThat is the bug lab {} is about. Your moves: {} (replay them with `conclab play {} --moves {}`).\n"
                 "Now fix it in your copy: `conclab check {}`.\n",
                 lab.id, numbers(s.choices, " "), lab.id, numbers(s.choices, ","), lab.id);
    }
  }

  int show_hint(const Lab& lab, const std::string& who, const Game& game) const {
    const GameState h = game.hint();
    if (h.status != "hint") {
      if (json_) fmt::print("{}\n", h.raw.dump());
      fmt::print("The explorer found no schedule of {} that fails under the game's rules: this version of lab {} cannot be won.\n", who, lab.id);
      return exit_code::kNotPassed;
    }
    const GameState end = game.play(h.choices);
    if (json_) {
      fmt::print("{}\n", end.raw.dump());
      return won(lab, end) ? exit_code::kOk : exit_code::kNotPassed;
    }
    fmt::print("{} {}\n", out::cyan("Goal:"), lab.play->goal);
    fmt::print("A winning line, {}: {}\n", plural(static_cast<long>(h.choices.size()), "choice"), out::bold(numbers(h.choices, " ")));
    fmt::print("(each number is the thread you pick when more than one can take the next step). The steps it makes:\n");
    for (std::size_t i = 0; i < end.trace.size(); ++i) {
      const StepView& st = end.trace[i];
      fmt::print("{:>5}. T{}  {:<34} {}  {}\n", i + 1, st.thread, st.op + (st.result.empty() ? "" : " " + st.result), short_place(st.place),
                 st.place.code);
    }
    draw_end(lab, end);
    return won(lab, end) ? exit_code::kOk : exit_code::kNotPassed;
  }

  int play_scripted(const Lab& lab, const std::string& who, const Game& game, const std::vector<int>& moves) const {
    // Played one by one, so that a move no thread can make is named with the threads that could.
    std::vector<int> done;
    GameState s = game.play(done);
    for (std::size_t i = 0; i < moves.size(); ++i) {
      if (s.status != "choose") {
        throw UserError(fmt::format("The game ended after {} of your {} moves: drop the rest (`--moves {}`).", i, moves.size(),
                                    numbers(done, ",")),
                        exit_code::kUsage);
      }
      if (std::find(s.options.begin(), s.options.end(), moves[i]) == s.options.end()) {
        throw UserError(fmt::format("Move {} is T{}, which cannot take a step then: the threads that could were {}.", i + 1, moves[i],
                                    numbers(s.options, ", ")),
                        exit_code::kUsage);
      }
      done.push_back(moves[i]);
      s = game.play(done);
    }
    if (json_) {
      fmt::print("{}\n", s.raw.dump());
    } else {
      draw(lab, who, s);
      if (s.status == "end") {
        draw_end(lab, s);
      } else {
        fmt::print("\nThe game goes on: the next step is for one of {} (`conclab play {}` to play on interactively).\n",
                   numbers(s.options, ", "), lab.id);
      }
    }
    return won(lab, s) ? exit_code::kOk : exit_code::kNotPassed;
  }

  int play_interactive(const Lab& lab, const std::string& who, const Game& game) const {
    std::vector<int> choices;
    std::optional<GameState> hint;
    std::string notice;
    for (;;) {
      const GameState s = game.play(choices);
      fmt::print("\x1b[H\x1b[2J");
      draw(lab, who, s);
      if (s.status == "end") draw_end(lab, s);
      if (!notice.empty()) fmt::print("\n{}\n", notice);
      notice.clear();
      const bool over = s.status == "end";
      const std::string prompt =
          over ? fmt::format("\n{} ", out::bold("u undo · r restart · h hint · q quit >"))
               : fmt::format("\n{} {}  {} ", out::bold("Which thread takes the next step?"), numbers(s.options, ", "),
                             out::dim("(u undo · r restart · h hint · q quit) >"));
      std::string line;
      for (;;) {
        fmt::print("{}", prompt);
        std::fflush(stdout);
        if (!std::getline(std::cin, line)) {
          fmt::print("\n");
          return over && won(lab, s) ? exit_code::kOk : exit_code::kNotPassed;
        }
        line = lower(trim(line));
        if (line.rfind('t', 0) == 0) line.erase(0, 1);  // "T1" as well as "1"
        if (!line.empty()) break;
      }
      if (line == "q" || line == "quit") return over && won(lab, s) ? exit_code::kOk : exit_code::kNotPassed;
      if (line == "r") {
        choices.clear();
        continue;
      }
      if (line == "u") {
        if (choices.empty()) notice = "Nothing to undo: this is the start.";
        if (!choices.empty()) choices.pop_back();
        continue;
      }
      if (line == "h") {
        if (!hint) hint = game.hint();
        notice = hint->status == "hint" ? hint_notice(*hint, choices) : "The explorer found no winning schedule for this version.";
        continue;
      }
      const bool digits = std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isdigit(c); }) && line.size() <= 3;
      if (!digits || over) {
        notice = over ? "The game is over: u undoes the last move, r starts again, q quits."
                      : fmt::format("'{}' is not a move: type the number of a thread that can take a step ({}), or u, r, h, q.", line,
                                    numbers(s.options, ", "));
        continue;
      }
      const int pick = std::stoi(line);
      if (std::find(s.options.begin(), s.options.end(), pick) == s.options.end()) {
        notice = fmt::format("T{} cannot take a step now{}: pick {}.", pick,
                             [&]() -> std::string {
                               for (const auto& t : s.threads) {
                                 if (t.id == pick && t.state == "blocked") return " (it is blocked: " + t.waits + ")";
                                 if (t.id == pick && t.state == "done") return " (it has finished)";
                               }
                               return "";
                             }(),
                             numbers(s.options, ", "));
        continue;
      }
      choices.push_back(pick);
    }
  }

  static std::string hint_notice(const GameState& hint, const std::vector<int>& choices) {
    std::size_t same = 0;
    while (same < choices.size() && same < hint.choices.size() && choices[same] == hint.choices[same]) ++same;
    std::string text = fmt::format("A winning line: {}", numbers(hint.choices, " "));
    if (choices.empty()) return text + ".";
    if (same == choices.size()) return text + fmt::format(". Your {} follow it: next, T{}.", plural(static_cast<long>(same), "move"),
                                                          same < hint.choices.size() ? hint.choices[same] : 0);
    return text + fmt::format(". Your moves left it at move {}: press u {} to get back on it.", same + 1,
                              plural(static_cast<long>(choices.size() - same), "time"));
  }

  std::string lab_;
  std::string against_;
  bool hint_ = false;
  std::string moves_;
  bool json_ = false;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(PlayCommand, "play", "Be the scheduler: pick each thread's step until a lab's naive version breaks", 46)

}  // namespace conclab::commands
