// motcua: the one executable. Subcommands: serve, init, demo, user, import, version.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/application.h"
#include "cli/demo_history.h"
#include "cli/provisioning.h"
#include "common/crypto.h"
#include "common/file_system.h"
#include "common/log.h"
#include "http/error_table.h"
#include "notify/outbox_sender.h"
#include "notify/sms_gateway.h"
#include "notify/smtp_client.h"
#include "storage/migrations.h"

namespace motcua {
namespace {

constexpr const char* kDefaultDb = "sqlite:var/motcua.db";

// --name value / --name=value flags; positional arguments in order.
struct Args {
  std::map<std::string, std::vector<std::string>> flags;
  std::vector<std::string> positional;
  bool help = false;

  const std::string* Get(const std::string& name) const {
    auto it = flags.find(name);
    return it == flags.end() || it->second.empty() ? nullptr : &it->second.back();
  }
  std::string Or(const std::string& name, std::string fallback) const {
    const std::string* v = Get(name);
    return v ? *v : fallback;
  }
};

struct Command {
  const char* name;
  const char* usage;
  std::set<std::string> value_flags;
  std::set<std::string> bool_flags;
  int (*run)(const Args&);
};

std::optional<Args> Parse(const Command& cmd, int argc, char** argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      a.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      a.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (cmd.bool_flags.contains(name)) {
      a.flags[name].push_back("1");
    } else if (cmd.value_flags.contains(name)) {
      if (!has_value) {
        if (i + 1 >= argc) {
          std::fprintf(stderr, "motcua %s: --%s needs a value\n", cmd.name, name.c_str());
          return std::nullopt;
        }
        value = argv[++i];
      }
      a.flags[name].push_back(value);
    } else {
      std::fprintf(stderr, "motcua %s: unknown option --%s (see motcua %s --help)\n", cmd.name,
                   name.c_str(), cmd.name);
      return std::nullopt;
    }
  }
  return a;
}

void PrintError(const char* what, const Error& e) {
  std::string en = e.message.empty() ? std::string(DefaultMessage(e.code)) : e.message;
  // An operator reads this: the developer context too.
  std::fprintf(stderr, "motcua %s: %s%s%s%s%s\n", what, en.c_str(),
               e.field.empty() ? "" : " [field: ", e.field.empty() ? "" : (e.field + "]").c_str(),
               e.context.empty() ? "" : " (", e.context.empty() ? "" : (e.context + ")").c_str());
}

std::string DbUrl(const Args& a) {
  if (const std::string* v = a.Get("db")) return *v;
  if (const char* env = std::getenv("MOTCUA_DB"); env != nullptr && *env) return env;
  return kDefaultDb;
}

// The blob store's root: --files, MOTCUA_FILES, else "files" beside a SQLite database (and
// var/files for PostgreSQL, where several nodes should share one directory: pass --files).
std::string FilesDir(const Args& a) {
  if (const std::string* v = a.Get("files")) return *v;
  if (const char* env = std::getenv("MOTCUA_FILES"); env != nullptr && *env) return env;
  std::string db = DbUrl(a);
  if (db.rfind("sqlite:", 0) == 0) {
    auto parent = std::filesystem::path(db.substr(7)).parent_path();
    return (parent.empty() ? std::filesystem::path("files") : parent / "files").string();
  }
  return "var/files";
}

// Removes what interrupted uploads left behind: temporary files, and blobs that no row names and
// that were not touched within the grace period (0 for a single node; give several nodes
// sharing a directory an hour). Logs what it did.
Status SweepFiles(storage::SqlStore& store, storage::BlobStore& blobs, std::chrono::seconds grace) {
  auto shas = store.files().AllFileShas();
  MOTCUA_RETURN_IF_ERROR(shas);
  auto report = blobs.Sweep(*shas, grace);
  MOTCUA_RETURN_IF_ERROR(report);
  LogInfo("files: " + std::to_string(report->temp_removed) + " interrupted upload(s) and " +
          std::to_string(report->blobs_removed) + " unrecorded blob(s) removed, " +
          std::to_string(report->blobs_kept) + " kept");
  return {};
}

std::chrono::seconds FilesGrace(const Args& a) {
  if (const std::string* v = a.Get("files-gc-grace")) {
    return std::chrono::seconds(std::max(0LL, std::atoll(v->c_str())));
  }
  return std::chrono::seconds(0);
}

// The clock: --now or MOTCUA_NOW start a clock at that instant that then runs on.
std::unique_ptr<Clock> MakeClock(const Args& a, bool* ok) {
  *ok = true;
  std::string now = a.Or("now", "");
  if (now.empty()) {
    if (const char* env = std::getenv("MOTCUA_NOW"); env != nullptr) now = env;
  }
  if (now.empty()) return MakeSystemClock();
  auto t = ParseIso8601(now);
  if (!t) {
    std::fprintf(stderr, "motcua: bad --now/MOTCUA_NOW '%s' (use e.g. 2026-04-24T10:00:00+07:00)\n",
                 now.c_str());
    *ok = false;
    return nullptr;
  }
  return MakeOffsetClock(*t);
}

size_t Threads(const Args& a) {
  if (const std::string* v = a.Get("threads"))
    return static_cast<size_t>(std::max(1, std::atoi(v->c_str())));
  return std::max(1u, std::thread::hardware_concurrency());
}

Result<std::unique_ptr<storage::SqlStore>> Open(const Args& a, size_t readers = 4) {
  return storage::OpenStore(DbUrl(a), storage::StoreOptions{readers, 256});
}

// The store of an operator's command whose schema this binary knows; nullptr after printing
// why not (as "motcua <what>: ...").
std::unique_ptr<storage::SqlStore> OpenChecked(const Args& a, const char* what) {
  auto store = Open(a);
  if (!store) {
    PrintError(what, store.error());
    return nullptr;
  }
  if (auto st = (*store)->CheckSchema(); !st) {
    PrintError(what, st.error());
    return nullptr;
  }
  return std::move(*store);
}

// Builds the AppConfig from flags; false on a bad flag.
bool MakeConfig(const Args& a, AppConfig& config) {
  config.province_code = a.Or("province", "25");
  config.cookie_secure = a.Get("cookie-secure") != nullptr;
  config.files_dir = FilesDir(a);
  if (auto it = a.flags.find("limit"); it != a.flags.end()) {
    for (const std::string& kv : it->second) {
      size_t eq = kv.find('=');
      Status st = eq == std::string::npos
                      ? Fail(ErrorCode::kInvalidField, "--limit wants NAME=VALUE")
                      : SetLimit(config.limits, kv.substr(0, eq), kv.substr(eq + 1));
      if (!st) {
        PrintError("serve", st.error());
        return false;
      }
    }
  }
  if (const std::string* v = a.Get("argon2-ops")) config.auth.password_cost.ops = std::stoull(*v);
  if (const std::string* v = a.Get("argon2-mem-kib")) {
    config.auth.password_cost.mem_bytes = std::stoull(*v) * 1024;
  }
  if (const std::string* v = a.Get("session-ttl")) {
    config.auth.session_ttl = std::chrono::seconds(std::stoll(*v));
  }
  if (const std::string* v = a.Get("public-url")) {
    std::string url = *v;
    while (!url.empty() && url.back() == '/') url.pop_back();
    bool ok = (url.starts_with("http://") || url.starts_with("https://")) &&
              url.find("://") + 3 < url.size() && url.size() <= 200 &&
              url.find_first_of(" \t\r\n\"<>\\") == std::string::npos;
    if (!ok) {
      std::fprintf(stderr, "motcua: --public-url wants http(s)://host[:port][/path], got '%s'\n",
                   v->c_str());
      return false;
    }
    config.public_base_url = url;
  }
  return true;
}

// A whole number in [lo, hi] from flag `name`'s value; nullopt (and a message) otherwise.
std::optional<long long> NumberFlag(const std::string& name, const std::string& value, long long lo,
                                    long long hi) {
  long long n = 0;
  bool ok = !value.empty() && value.size() <= 12;
  for (char c : value) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + (c - '0');
  }
  if (!ok || n < lo || n > hi) {
    std::fprintf(stderr, "motcua: --%s wants a whole number from %lld to %lld\n", name.c_str(), lo,
                 hi);
    return std::nullopt;
  }
  return n;
}

// The outbox sender for the channels the flags configure (--smtp, --sms-gateway), or nullptr
// when none is; false on a bad flag.
bool MakeOutboxSender(const Args& a, Outbox& outbox, const Clock& clock, Random& random,
                      std::unique_ptr<notify::OutboxSender>* out) {
  notify::OutboxSender::Channels channels;
  if (const std::string* smtp = a.Get("smtp")) {
    notify::SmtpConfig c;
    size_t colon = smtp->rfind(':');
    if (colon == std::string::npos || colon == 0) {
      std::fprintf(stderr, "motcua: --smtp wants HOST:PORT, e.g. 127.0.0.1:25\n");
      return false;
    }
    c.host = smtp->substr(0, colon);
    if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']') {
      c.host = c.host.substr(1, c.host.size() - 2);
    }
    auto port = NumberFlag("smtp", smtp->substr(colon + 1), 1, 65535);
    if (!port) return false;
    c.port = static_cast<uint16_t>(*port);
    c.from = a.Or("smtp-from", c.from);
    if (!notify::IsValidMailbox(c.from)) {
      std::fprintf(stderr, "motcua: --smtp-from '%s' is not an e-mail address\n", c.from.c_str());
      return false;
    }
    c.username = a.Or("smtp-user", "");
    c.password = a.Or("smtp-password", "");
    if (c.password.empty()) {
      if (const char* env = std::getenv("MOTCUA_SMTP_PASSWORD"); env != nullptr) c.password = env;
    }
    if (!c.username.empty() && c.password.empty()) {
      std::fprintf(stderr, "motcua: --smtp-user needs --smtp-password or MOTCUA_SMTP_PASSWORD\n");
      return false;
    }
    if (!c.username.empty() && c.host != "127.0.0.1" && c.host != "::1" && c.host != "localhost") {
      std::fprintf(stderr,
                   "motcua: warning: SMTP AUTH over plain TCP sends the password in clear to "
                   "%s; use a relay on loopback or the internal network\n",
                   c.host.c_str());
    }
    channels.emplace("email", std::make_unique<notify::SmtpClient>(std::move(c)));
  }
  if (const std::string* url = a.Get("sms-gateway")) {
    auto gateway = notify::SmsGateway::Create({*url});
    if (!gateway) {
      PrintError("serve", gateway.error());
      return false;
    }
    channels.emplace("sms", std::move(*gateway));
  }
  notify::OutboxSenderConfig config;
  if (const std::string* v = a.Get("outbox-poll-ms")) {
    auto n = NumberFlag("outbox-poll-ms", *v, 1, 3'600'000);
    if (!n) return false;
    config.poll_interval = std::chrono::milliseconds(*n);
  }
  if (const std::string* v = a.Get("outbox-backoff-ms")) {
    auto n = NumberFlag("outbox-backoff-ms", *v, 1, 86'400'000);
    if (!n) return false;
    config.policy.base_backoff = std::chrono::milliseconds(*n);
  }
  if (channels.empty()) {
    out->reset();
    return true;
  }
  *out = std::make_unique<notify::OutboxSender>(outbox, clock, random, std::move(channels), config);
  return true;
}

// `serve` runs with the real clock and the production password cost: a stray --now or
// MOTCUA_NOW would move every legal deadline, a cheap Argon2 cost would weaken every new
// password. They are for `demo` and tests; `serve` refuses them unless told it is a test.
bool TestSettingsRefused(const Args& a) {
  if (a.Get("allow-test-settings") != nullptr) return false;
  std::vector<std::string> given;
  for (const char* flag : {"now", "argon2-ops", "argon2-mem-kib"}) {
    if (a.Get(flag) != nullptr) given.push_back(std::string("--") + flag);
  }
  if (const char* env = std::getenv("MOTCUA_NOW"); env != nullptr && *env) {
    given.push_back("MOTCUA_NOW");
  }
  if (given.empty()) return false;
  std::string list;
  for (const std::string& g : given) list += (list.empty() ? "" : ", ") + g;
  std::fprintf(stderr,
               "motcua serve: %s set a test clock or password cost; serve refuses them (use "
               "motcua demo, or add --allow-test-settings in a test)\n",
               list.c_str());
  return true;
}

int Serve(const Args& a, bool demo) {
  if (!demo && TestSettingsRefused(a)) return 2;
  bool clock_ok;
  auto clock = MakeClock(a, &clock_ok);
  if (!clock_ok) return 2;
  AppConfig config;
  if (!MakeConfig(a, config)) return 2;
  std::optional<DemoHistoryOptions> history;
  if (demo) {
    history = ParseDemoHistoryFlags(a.Get("dossiers"), a.Get("months"), a.Get("seed"));
    if (!history) return 2;
  }
  size_t threads = Threads(a);
  auto store = Open(a, threads + config.limits.max_concurrent_hashes + 2);
  if (!store) {
    PrintError(demo ? "demo" : "serve", store.error());
    return 1;
  }
  auto random = MakeSecureRandom();
  if (demo) {
    if (auto st = InitDatabase(**store, config.province_code, clock->Now()); !st) {
      PrintError("demo", st.error());
      return 1;
    }
  }
  if (auto st = (*store)->CheckSchema(); !st) {
    PrintError(demo ? "demo" : "serve", st.error());
    return 1;
  }
  Application app(**store, *clock, *random, config);
  if (demo) {
    if (auto st = EnsureDemoAccounts((*store)->accounts(), app.auth()); !st) {
      PrintError("demo", st.error());
      return 1;
    }
  }
  if (auto st = app.Load(); !st) {
    PrintError("serve", st.error());
    return 1;
  }
  if (demo) {
    if (auto st = PrepareDemoHistory(**store, app, *history, clock->Now()); !st) {
      PrintError("demo", st.error());
      return 1;
    }
    if (a.Get("no-serve") != nullptr) return 0;
  }
  std::unique_ptr<notify::OutboxSender> sender;
  if (!MakeOutboxSender(a, (*store)->outbox(), *clock, *random, &sender)) return 2;
  if (sender) {
    app.AddMetricsSource([&sender](std::string& out) { sender->RenderMetrics(out); });
  }
  if (auto st = SweepFiles(**store, app.blobs(), FilesGrace(a)); !st) {
    PrintError("serve", st.error());
    return 1;
  }
  ServerOptions options;
  std::string listen = a.Or("listen", "");
  if (listen.empty()) {
    if (const char* env = std::getenv("MOTCUA_LISTEN"); env != nullptr && *env) listen = env;
  }
  if (listen.empty()) listen = "127.0.0.1:8080";
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "motcua: --listen wants HOST:PORT\n");
    return 2;
  }
  options.host = listen.substr(0, colon);
  if (options.host.size() > 2 && options.host.front() == '[') {
    options.host = options.host.substr(1, options.host.size() - 2);
  }
  options.port = static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1));
  options.threads = threads;
  options.limits = config.limits;
  if (auto it = a.flags.find("trusted-proxy"); it != a.flags.end()) {
    options.trusted_proxies = it->second;
  }
  Server server(options, app.pipeline());
  if (auto st = server.Listen(); !st) {
    PrintError("serve", st.error());
    return 1;
  }
  std::string url =
      "http://" +
      (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) +
      ":" + std::to_string(server.port());
  std::printf("motcua %s serving %s on %s (%zu threads, database %s)\n", MOTCUA_VERSION,
              url.c_str(), options.host.c_str(), threads, DbUrl(a).c_str());
  if (demo) {
    std::printf("\nDemo logins (password for all: %.*s):\n", static_cast<int>(kDemoPassword.size()),
                kDemoPassword.data());
    for (const DemoAccount& d : DemoAccounts()) {
      std::printf("  %-20s %-11s %-6s %s\n", d.username.c_str(),
                  std::string(RoleName(d.role)).c_str(), d.unit.empty() ? "-" : d.unit.c_str(),
                  d.full_name.c_str());
    }
    std::printf(
        "\nTry:\n  curl '%s/api/v1/procedures?q=dang%%20ky%%20khai%%20sinh'\n"
        "  curl '%s/api/v1/units?parent=25'\n"
        "  curl -X POST %s/api/v1/auth/login -H 'Content-Type: application/json' "
        "-d '{\"username\":\"admin.phutho\",\"password\":\"%.*s\"}'\n"
        "  open %s/ in a browser\n",
        url.c_str(), url.c_str(), url.c_str(), static_cast<int>(kDemoPassword.size()),
        kDemoPassword.data(), url.c_str());
  }
  std::fflush(stdout);
  LogInfo("listening on " + url + "; limits:\n" + DescribeLimits(config.limits));
  if (sender) sender->Start();
  server.Run();
  app.StopPools();  // while the server's io_contexts, which the jobs answer to, still exist
  if (sender) sender->Stop();
  LogInfo("stopped");
  FlushLog();
  return 0;
}

int CmdServe(const Args& a) { return Serve(a, false); }
int CmdDemo(const Args& a) { return Serve(a, true); }

int CmdInit(const Args& a) {
  bool clock_ok;
  auto clock = MakeClock(a, &clock_ok);
  if (!clock_ok) return 2;
  auto store = Open(a);
  if (!store) {
    PrintError("init", store.error());
    return 1;
  }
  if (auto st = InitDatabase(**store, a.Or("province", "25"), clock->Now()); !st) {
    PrintError("init", st.error());
    return 1;
  }
  return 0;
}

// motcua user disable|enable --username U: turns an account off (and ends its sessions) or on.
int UserSetDisabled(const Args& a, bool disable) {
  const std::string* username = a.Get("username");
  if (username == nullptr) {
    std::fprintf(stderr, "motcua user %s: --username is required\n",
                 disable ? "disable" : "enable");
    return 2;
  }
  auto store = OpenChecked(a, "user");
  if (!store) return 1;
  auto user = store->accounts().FindUser(*username);
  if (!user) {
    PrintError("user", user.error());
    return 1;
  }
  if (!*user) {
    std::fprintf(stderr, "motcua user: no account '%s'\n", username->c_str());
    return 1;
  }
  if (auto st = store->accounts().SetDisabled((*user)->id, disable); !st) {
    PrintError("user", st.error());
    return 1;
  }
  int64_t ended = 0;
  if (disable) {
    auto n = store->sessions().DeleteSessionsOfUser((*user)->id);
    if (!n) {
      PrintError("user", n.error());
      return 1;
    }
    ended = *n;
  }
  std::printf("user %s %s%s\n", username->c_str(), disable ? "disabled" : "enabled",
              disable ? (", " + std::to_string(ended) + " session(s) ended").c_str() : "");
  return 0;
}

int CmdUser(const Args& a) {
  if (a.positional.size() == 1 && (a.positional[0] == "disable" || a.positional[0] == "enable")) {
    return UserSetDisabled(a, a.positional[0] == "disable");
  }
  if (a.positional.size() != 1 || a.positional[0] != "add") {
    std::fprintf(stderr,
                 "motcua user: the actions are 'add', 'disable' and 'enable' (see motcua user "
                 "--help)\n");
    return 2;
  }
  for (const char* required : {"username", "password", "role"}) {
    if (!a.Get(required)) {
      std::fprintf(stderr, "motcua user add: --%s is required\n", required);
      return 2;
    }
  }
  auto role = ParseRole(*a.Get("role"));
  if (!role) {
    std::fprintf(stderr,
                 "motcua user add: --role must be citizen, reception, specialist, "
                 "leader, admin or auditor\n");
    return 2;
  }
  bool clock_ok;
  auto clock = MakeClock(a, &clock_ok);
  if (!clock_ok) return 2;
  auto store = OpenChecked(a, "user");
  if (!store) return 1;
  AppConfig config;
  if (!MakeConfig(a, config)) return 2;
  auto random = MakeSecureRandom();
  AuthService auth(store->accounts(), store->sessions(), *clock, *random, config.auth);
  auto created = auth.CreateUser(NewUser{*a.Get("username"), *a.Get("password"), *role,
                                         a.Or("unit", ""), a.Or("full-name", "")});
  if (!created) {
    PrintError("user add", created.error());
    return 1;
  }
  std::printf("created user %s (id %lld, role %s%s%s)\n", created->username.c_str(),
              static_cast<long long>(created->id), std::string(RoleName(created->role)).c_str(),
              created->unit_code.empty() ? "" : ", unit ", created->unit_code.c_str());
  return 0;
}

int CmdImport(const Args& a) {
  if (a.positional.size() != 2) {
    std::fprintf(stderr, "motcua import: usage: motcua import procedures|units|agencies FILE\n");
    return 2;
  }
  const std::string& what = a.positional[0];
  if (what != "procedures" && what != "units" && what != "agencies") {
    std::fprintf(stderr, "motcua import: what to import must be procedures, units or agencies\n");
    return 2;
  }
  auto text = ReadFile(a.positional[1]);
  if (!text) {
    PrintError("import", text.error());
    return 1;
  }
  bool clock_ok;
  auto clock = MakeClock(a, &clock_ok);
  if (!clock_ok) return 2;
  auto store = OpenChecked(a, "import");
  if (!store) return 1;
  if (what == "procedures") {
    auto summary = ImportProcedures(store->catalog(), store->units(), *text, clock->Now());
    if (!summary) {
      for (const Error& e : summary.error()) PrintError("import procedures", e);
      std::fprintf(stderr, "motcua import procedures: %zu problem(s); nothing imported\n",
                   summary.error().size());
      return 1;
    }
    std::printf("procedures: %zu added, %zu changed, %zu unchanged\n", summary->added,
                summary->changed, summary->unchanged);
    return 0;
  }
  Status st = what == "units" ? ImportUnits(store->units(), *text)
                              : ImportAgencies(store->units(), *text, a.Or("province", "25"));
  if (!st) {
    PrintError("import", st.error());
    return 1;
  }
  std::printf("%s imported\n", what.c_str());
  return 0;
}

int CmdAudit(const Args& a) {
  if (a.positional.size() != 1 || a.positional[0] != "verify") {
    std::fprintf(stderr, "motcua audit: the only action is 'verify' (see motcua audit --help)\n");
    return 2;
  }
  auto store = OpenChecked(a, "audit");
  if (!store) return 1;
  auto entries = store->audit().LoadAudit("");
  auto head = store->audit().AuditHead();
  if (!entries || !head) {
    PrintError("audit", entries ? head.error() : entries.error());
    return 1;
  }
  AuditVerification v = VerifyAuditChain(*entries, head->first, head->second);
  if (!v.ok) {
    std::printf("audit chain BROKEN at entry %lld: %s\n", static_cast<long long>(v.first_bad_seq),
                v.problem.c_str());
    return 1;
  }
  std::printf("audit chain ok: %lld entries, head %s\n", static_cast<long long>(v.entries),
              head->second.empty() ? "-" : head->second.substr(0, 16).c_str());
  auto dangling = store->audit().CheckReferences();
  if (!dangling) {
    PrintError("audit", dangling.error());
    return 1;
  }
  for (const std::string& line : *dangling) std::printf("references BROKEN: %s\n", line.c_str());
  if (!dangling->empty()) return 1;
  std::printf("references ok\n");
  return 0;
}

int CmdFiles(const Args& a) {
  if (a.positional.size() != 1 || (a.positional[0] != "verify" && a.positional[0] != "gc")) {
    std::fprintf(stderr,
                 "motcua files: the actions are 'verify' and 'gc' (see motcua files --help)\n");
    return 2;
  }
  auto store = OpenChecked(a, "files");
  if (!store) return 1;
  auto fs = MakePosixFileSystem();
  auto random = MakeSecureRandom();
  storage::BlobStore blobs(FilesDir(a), *fs, *random);
  if (auto st = blobs.Open(); !st) {
    PrintError("files", st.error());
    return 1;
  }
  if (a.positional[0] == "gc") {
    std::chrono::seconds grace =
        a.Get("files-gc-grace") ? FilesGrace(a) : std::chrono::seconds(3600);
    auto shas = store->files().AllFileShas();
    if (!shas) {
      PrintError("files", shas.error());
      return 1;
    }
    auto report = blobs.Sweep(*shas, grace);
    if (!report) {
      PrintError("files", report.error());
      return 1;
    }
    std::printf("files gc: %llu temporary file(s) and %llu unrecorded blob(s) removed, %llu kept\n",
                static_cast<unsigned long long>(report->temp_removed),
                static_cast<unsigned long long>(report->blobs_removed),
                static_cast<unsigned long long>(report->blobs_kept));
    return 0;
  }
  auto shas = store->files().AllFileShas();
  if (!shas) {
    PrintError("files", shas.error());
    return 1;
  }
  auto problems = blobs.Verify(*shas, Limits{}.max_upload_bytes + 1);
  if (!problems) {
    PrintError("files", problems.error());
    return 1;
  }
  for (const std::string& p : *problems) std::printf("%s\n", p.c_str());
  if (!problems->empty()) {
    std::printf("files: %zu problem(s) among %zu recorded file(s)\n", problems->size(),
                shas->size());
    return 1;
  }
  std::printf("files ok: %zu recorded, every one stored whole under %s\n", shas->size(),
              blobs.root().c_str());
  return 0;
}

int CmdVersion(const Args&) {
  std::printf("motcua %s (schema %d)\n", MOTCUA_VERSION, storage::LatestSchemaVersion());
  return 0;
}

constexpr const char* kServeFlags =
    "  --db URL            sqlite:PATH (default sqlite:var/motcua.db) or\n"
    "                      postgresql://user[:pass]@host:port/db; env MOTCUA_DB\n"
    "  --listen HOST:PORT  default 127.0.0.1:8080; env MOTCUA_LISTEN\n"
    "  --threads N         I/O threads (default: one per core)\n"
    "  --province CODE     the deployment's province (default 25, Phú Thọ)\n"
    "  --now ISO8601       run the clock from this instant; env MOTCUA_NOW\n"
    "  --limit NAME=VALUE  override a limit (repeatable), see below\n"
    "  --session-ttl SECS  session lifetime (default 28800)\n"
    "  --argon2-ops N      Argon2id iterations for new hashes (default 2)\n"
    "  --argon2-mem-kib N  Argon2id memory for new hashes (default 19456)\n"
    "  --cookie-secure     mark cookies Secure (behind a TLS proxy)\n"
    "  --public-url URL    the public address printed on forms and in their QR codes\n"
    "                      (<URL>/tra-cuu/<code>; default http://127.0.0.1:8080)\n"
    "  --files DIR         where uploaded files live (default: 'files' beside a SQLite\n"
    "                      database; with PostgreSQL a directory all nodes share); env\n"
    "                      MOTCUA_FILES\n"
    "  --files-gc-grace S  at start-up, spare unrecorded blobs younger than S seconds\n"
    "                      (default 0; give nodes sharing --files e.g. 3600)\n"
    "Outbox delivery (a sender thread runs when --smtp or --sms-gateway is given):\n"
    "  --smtp HOST:PORT    SMTP relay for e-mail (plain TCP, no TLS: loopback or the\n"
    "                      internal network)\n"
    "  --smtp-from ADDR    sender address (default no-reply@motcua.local)\n"
    "  --smtp-user NAME    log in with AUTH PLAIN (password in clear: trusted relay only)\n"
    "  --smtp-password PW  its password; env MOTCUA_SMTP_PASSWORD\n"
    "  --sms-gateway URL   http://host:port/path receiving POST {\"to\",\"text\",\"ref\"}\n"
    "  --trusted-proxy ADDR  a reverse proxy's address (repeatable): its X-Forwarded-For names\n"
    "                      the client, for per-client limits; ignored from anyone else\n"
    "  --outbox-poll-ms N  how often to look for due messages (default 2000)\n"
    "  --outbox-backoff-ms N  first retry delay, doubling to at most 1 h, 8 attempts\n"
    "                      (default 30000)\n";

std::vector<Command> Commands() {
  std::set<std::string> serve_values = {
      "db",          "listen",     "threads",        "province", "now",           "limit",
      "session-ttl", "argon2-ops", "argon2-mem-kib", "files",    "files-gc-grace"};
  serve_values.insert({"public-url", "trusted-proxy"});
  serve_values.insert({"smtp", "smtp-from", "smtp-user", "smtp-password", "sms-gateway",
                       "outbox-poll-ms", "outbox-backoff-ms"});
  std::set<std::string> demo_values = serve_values;
  demo_values.insert({"dossiers", "months", "seed"});
  return {
      {"serve",
       "motcua serve [options]\n  Serves the API and web app. Refuses --now, MOTCUA_NOW and the\n"
       "  --argon2-* costs (test settings) unless --allow-test-settings is given.\n",
       serve_values,
       {"cookie-secure", "allow-test-settings"},
       CmdServe},
      {"demo",
       "motcua demo [options] [--dossiers N] [--months M] [--seed S] [--no-serve]\n"
       "  Initialises the database (default sqlite:var/motcua.db) if needed, creates demo\n"
       "  accounts for every role, and on a database without dossiers generates a history of\n"
       "  the province through the domain code (filed and settled as live intake would, with\n"
       "  the working calendar), ending at the clock's now (--now); then serves, and prints\n"
       "  the URL and logins. A database that has dossiers is served as it is.\n"
       "  --dossiers N   dossiers in the history (default: a realistic volume for the months,\n"
       "                 about 100,000 a quarter for Phu Tho; 0 for none)\n"
       "  --months M     months of history, 1-24 (default 3); the last weeks' still in progress\n"
       "  --seed S       the same N, M, S and --now give the same codes and states (default 1)\n"
       "  --no-serve     generate, print the summary (states, channels, on-time rate, time,\n"
       "                 dossiers/s) and exit\n",
       demo_values,
       {"cookie-secure", "no-serve"},
       CmdDemo},
      {"init",
       "motcua init [--db URL] [--province CODE]\n  Creates or migrates the schema and imports "
       "the bundled units and catalog. Idempotent.\n",
       {"db", "province", "now"},
       {},
       CmdInit},
      {"user",
       "motcua user add --username U --password P --role ROLE [--unit CODE] [--full-name N] "
       "[--db URL]\n  Creates an account. ROLE: citizen (username = 12-digit ID number), "
       "reception,\n  specialist, leader, admin, auditor (officers need --unit).\n"
       "motcua user disable|enable --username U [--db URL]\n  Turns an account off (it cannot "
       "log in; its sessions end; within 5 s on other\n  nodes) or on again.\n",
       {"db", "username", "password", "role", "unit", "full-name", "now", "argon2-ops",
        "argon2-mem-kib"},
       {},
       CmdUser},
      {"import",
       "motcua import procedures|units|agencies FILE [--db URL] [--province CODE]\n"
       "  Validates and imports a catalog (procedures.json format), units\n"
       "  (units-vn-2025.csv format) or agencies (agencies-phu-tho.csv format).\n"
       "  A changed procedure gets a new version; earlier versions are kept.\n",
       {"db", "province", "now"},
       {},
       CmdImport},
      {"audit",
       "motcua audit verify [--db URL]\n  Checks the hash chain of the audit trail: any edited,\n"
       "  inserted or deleted entry is reported (exit 1); then that every dossier's units, "
       "idempotency\n"
       "  key and files exist (exit 1 if not).\n",
       {"db"},
       {},
       CmdAudit},
      {"files",
       "motcua files verify|gc [--db URL] [--files DIR] [--files-gc-grace SECS]\n"
       "  verify: re-hashes every stored file and checks that every recorded file is there\n"
       "  whole (exit 1 on any problem). gc: removes temporary files and blobs no row names\n"
       "  that are older than the grace period (default 3600 s).\n",
       {"db", "files", "files-gc-grace"},
       {},
       CmdFiles},
      {"version", "motcua version\n  Prints the version and schema version.\n", {}, {}, CmdVersion},
  };
}

void Usage() {
  std::printf(
      "motcua %s: one-stop administrative procedure service\n\nUsage: motcua COMMAND "
      "[options]   (motcua COMMAND --help for details)\n\nCommands:\n",
      MOTCUA_VERSION);
  for (const Command& c : Commands()) std::printf("  %s\n", c.name);
}

}  // namespace
}  // namespace motcua

int main(int argc, char** argv) {
  using namespace motcua;
  if (!InitCrypto()) {
    std::fprintf(stderr, "motcua: cannot initialise libsodium\n");
    return 1;
  }
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    Usage();
    return argc < 2 ? 2 : 0;
  }
  for (const Command& c : Commands()) {
    if (argv[1] != std::string(c.name)) continue;
    auto args = Parse(c, argc, argv, 2);
    if (!args) return 2;
    if (args->help) {
      std::printf("%s", c.usage);
      if (c.value_flags.contains("listen")) {
        std::printf("\nOptions:\n%s\nLimits (--limit NAME=VALUE; timeouts in ms):\n%s", kServeFlags,
                    DescribeLimits(Limits{}).c_str());
      }
      return 0;
    }
    int rc = c.run(*args);
    FlushLog();
    return rc;
  }
  std::fprintf(stderr, "motcua: unknown command '%s'\n", argv[1]);
  Usage();
  return 2;
}
