#include "http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/log.h"
#include "http/beast_adapter.h"

namespace motcua {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

namespace {

size_t ThreadCount(size_t wanted) {
  return wanted != 0 ? wanted : std::max(1u, std::thread::hardware_concurrency());
}

std::vector<std::unique_ptr<asio::io_context>> MakeContexts(size_t n) {
  std::vector<std::unique_ptr<asio::io_context>> out;
  for (size_t i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}

}  // namespace

Server::Server(ServerOptions options, HttpApp& app)
    : options_(std::move(options)),
      app_(app),
      contexts_(MakeContexts(ThreadCount(options_.threads))),
      acceptor_(*contexts_[0]) {
  options_.threads = contexts_.size();
}

Server::~Server() { Stop(); }

Status Server::Listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable, "Bad listen address " + options_.host + ".",
                "Địa chỉ lắng nghe không hợp lệ " + options_.host + ".");
  }
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable,
                "Cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                    ec.message(),
                "Không lắng nghe được trên " + options_.host + ":" + std::to_string(options_.port) +
                    ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void Server::Run() {
  asio::signal_set signals(*contexts_[0], SIGINT, SIGTERM);
  signals.async_wait([this](const beast::error_code&, int) { Stop(); });
  asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached);
  // Idle contexts must not return from run() before their first connection arrives.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& c : contexts_) guards.push_back(asio::make_work_guard(*c));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < contexts_.size(); ++i) {
    pool.emplace_back([this, i] { contexts_[i]->run(); });
  }
  contexts_[0]->run();
  for (auto& t : pool) t.join();
}

void Server::Stop() {
  asio::post(*contexts_[0], [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  for (auto& c : contexts_) c->stop();
}

asio::awaitable<void> Server::Accept() {
  for (;;) {
    asio::io_context& target = *contexts_[next_context_];
    next_context_ = (next_context_ + 1) % contexts_.size();
    auto [ec, socket] = co_await acceptor_.async_accept(target, kAsTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of file descriptors or similar: back off briefly instead of spinning.
      asio::steady_timer t(*contexts_[0], std::chrono::milliseconds(50));
      co_await t.async_wait(kAsTuple);
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
  }
}

namespace {

// A connection with one deadline. A timer (not the stream's own timeout, which closes the socket)
// cancels the pending read when it fires, so that a slow client can still be told 408.
struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer timer;
  bool timed_out = false;
};

void Arm(const std::shared_ptr<Connection>& conn, std::chrono::milliseconds after) {
  conn->timed_out = false;
  conn->timer.expires_after(after);
  conn->timer.async_wait([conn](const beast::error_code& ec) {
    if (ec) return;  // re-armed or cancelled
    conn->timed_out = true;
    beast::error_code ignored;
    conn->socket.cancel(ignored);
  });
}

}  // namespace

asio::awaitable<void> Server::Session(tcp::socket socket) {
  Metrics& metrics = app_.metrics();
  const Limits& limits = options_.limits;
  beast::error_code ec;
  std::string client_ip = socket.remote_endpoint(ec).address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  auto conn = std::make_shared<Connection>(std::move(socket));
  if (static_cast<size_t>(metrics.connections()) >= limits.max_connections) {
    metrics.ConnectionRejected();
    std::string id = app_.NewRequestId();
    Response res = ErrorResponse(
        Error{ErrorCode::kUnavailable, "Too many connections.", "Quá nhiều kết nối."}, id);
    res.headers.emplace_back("X-Request-Id", id);
    auto out = ToBeast(res, 11, false, false);
    Arm(conn, std::chrono::milliseconds(2000));
    co_await http::async_write(conn->socket, out, kAsTuple);
    conn->timer.cancel();
    conn->socket.shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  metrics.ConnectionOpened();
  beast::flat_buffer buffer(16 * 1024);
  Request req;
  req.client_ip = client_ip;
  for (size_t served = 0; served < limits.max_requests_per_connection; ++served) {
    if (buffer.size() == 0) {
      // Waiting for the next request: a quiet client is closed without a word.
      Arm(conn, served == 0 ? limits.read_timeout : limits.idle_timeout);
      auto [rec, n] = co_await conn->socket.async_read_some(buffer.prepare(16 * 1024), kAsTuple);
      if (rec) break;
      buffer.commit(n);
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    Arm(conn, limits.read_timeout);
    auto [rec, n] = co_await http::async_read(conn->socket, buffer, parser, kAsTuple);
    if (rec) {
      if (rec == http::error::end_of_stream || rec == asio::error::connection_reset ||
          rec == asio::error::eof) {
        break;
      }
      Error error = conn->timed_out ? Error{ErrorCode::kTimeout} : ReadError(rec);
      std::string id = app_.NewRequestId();
      Response res = ErrorResponse(error, id);
      res.headers.emplace_back("X-Request-Id", id);
      metrics.Observe(metrics.unmatched_index(), res.status, std::chrono::nanoseconds(0));
      LogLine("{\"level\":\"info\",\"msg\":\"unreadable request\",\"client\":\"" + client_ip +
              "\",\"status\":" + std::to_string(res.status) + ",\"error\":\"" +
              JsonEscape(conn->timed_out ? "timeout" : rec.message()) + "\"}");
      auto out = ToBeast(res, 11, false, false);
      Arm(conn, std::chrono::milliseconds(2000));
      co_await http::async_write(conn->socket, out, kAsTuple);
      break;
    }
    auto& msg = parser.get();
    FromBeast(msg, req);
    bool keep_alive = msg.keep_alive() && served + 1 < limits.max_requests_per_connection;
    bool head = msg.method() == http::verb::head;
    conn->timer.cancel();
    Response res = co_await app_.Handle(req);
    auto out = ToBeast(res, msg.version(), keep_alive, head);
    Arm(conn, limits.write_timeout);
    auto [wec, wn] = co_await http::async_write(conn->socket, out, kAsTuple);
    if (wec || !keep_alive) break;
  }
  conn->timer.cancel();
  conn->socket.shutdown(tcp::socket::shutdown_send, ec);
  metrics.ConnectionClosed();
}

}  // namespace motcua
