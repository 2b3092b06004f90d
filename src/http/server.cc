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

bool Server::IsTrustedProxy(std::string_view peer) const {
  for (const std::string& p : options_.trusted_proxies) {
    if (p == peer) return true;
  }
  return false;
}

std::string Server::ClientOf(const std::string& peer, const Request& req) const {
  if (!IsTrustedProxy(peer)) return peer;
  std::string_view xff = req.Header("x-forwarded-for");
  // The last hop is the one the trusted proxy added: the address it saw.
  std::string_view last =
      xff.substr(xff.rfind(',') == std::string_view::npos ? 0 : xff.rfind(',') + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(std::string(last), ec);
  return ec ? peer : address.to_string();
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
    // Counted here, in the order connections arrive, so that the cap per address is exact.
    beast::error_code rec;
    std::string client_ip = socket.remote_endpoint(rec).address().to_string();
    bool proxy = IsTrustedProxy(client_ip);
    bool admitted =
        clients_.TryOpen(client_ip, proxy ? SIZE_MAX : options_.limits.max_connections_per_client);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(std::move(socket), std::move(client_ip), admitted),
                   asio::detached);
  }
}

namespace {

// The answer when the bytes held for request bodies are at their limit.
Error Busy() {
  return Error{ErrorCode::kUnavailable, "The server is busy; try again in a moment.",
               "Máy chủ đang bận; vui lòng thử lại sau giây lát."};
}

// Holds what the body `parser` is reading may take: its declared length; for a chunked body what
// it has so far and one more read (the connection's buffer is 16 KiB), at most `max_body`.
bool HoldBody(BodyReservation& held, const http::request_parser<http::string_body>& parser,
              uint64_t max_body) {
  if (parser.chunked()) {
    return held.HoldAtLeast(std::min<uint64_t>(max_body, parser.get().body().size() + 64 * 1024));
  }
  return held.HoldAtLeast(parser.content_length().value_or(0));
}

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

// Answers "Expect: 100-continue" before the body is read, so that clients (curl sends it for
// large bodies) do not wait a second for nothing.
template <typename Message>
asio::awaitable<Status> SendContinue(Connection& conn, const Message& msg) {
  auto expect = msg[http::field::expect];
  if (!beast::iequals(expect, "100-continue")) co_return Status{};
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  auto [ec, n] = co_await asio::async_write(conn.socket, asio::buffer(kContinue), kAsTuple);
  if (ec) co_return Fail(ErrorCode::kUnavailable);
  co_return Status{};
}

// A lingering close (as nginx does): after answering a request whose body was not read, stop
// sending and discard what the client still sends for a moment, so that it finishes writing
// and reads the answer instead of failing with a reset.
asio::awaitable<void> Linger(const std::shared_ptr<Connection>& conn, beast::flat_buffer& buffer) {
  beast::error_code ec;
  conn->socket.shutdown(tcp::socket::shutdown_send, ec);
  size_t discarded = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (discarded < (64u << 20) && std::chrono::steady_clock::now() < until) {
    buffer.consume(buffer.size());
    Arm(conn, std::chrono::milliseconds(500));
    auto [rec, n] = co_await conn->socket.async_read_some(buffer.prepare(64 * 1024), kAsTuple);
    if (rec) break;
    discarded += n;
  }
  conn->timer.cancel();
}

// The body of a streamed request, read from the socket as the handler asks for it. Each read
// waits at most read_timeout; the whole body at most upload_timeout. A read returns what the
// connection has buffered, up to kPiece bytes: a client sending tiny chunks (one byte each) gets
// them gathered into one piece, not one piece (and one write to disk) per chunk. While it reads,
// the stream holds kHold bytes of the body budget; if the budget has no room, the first read
// fails with kUnavailable (503).
class SocketBodyStream final : public BodyStream {
 public:
  static constexpr size_t kPiece = 64 * 1024;
  // Its piece, and the blob writer's buffer the piece goes to (BlobStore::Writer::kWriteBytes).
  static constexpr size_t kHold = 2 * kPiece;

  SocketBodyStream(std::shared_ptr<Connection> conn, beast::flat_buffer& buffer,
                   http::request_parser<http::buffer_body>& parser, const Limits& limits,
                   BodyBudget& bodies, Metrics& metrics)
      : conn_(std::move(conn)),
        buffer_(buffer),
        parser_(parser),
        limits_(limits),
        metrics_(metrics),
        held_(bodies),
        deadline_(std::chrono::steady_clock::now() + limits.upload_timeout) {}

  asio::awaitable<Result<std::string_view>> Read() override {
    if (failed_) co_return Fail(ErrorCode::kBadRequest, "The request body was already refused.");
    if (!piece_) {
      if (!held_.HoldAtLeast(kHold)) {
        failed_ = true;
        metrics_.BodyRefused();
        co_return tl::unexpected(Busy());
      }
      piece_ = std::make_unique<char[]>(kPiece);
    }
    if (!continued_) {
      continued_ = true;
      Status sent = co_await SendContinue(*conn_, parser_.get());
      if (!sent) {
        failed_ = true;
        co_return tl::unexpected(sent.error());
      }
    }
    auto& body = parser_.get().body();
    size_t got = 0;
    while (got == 0 && !parser_.is_done()) {
      if (deferred_) {
        failed_ = true;
        co_return tl::unexpected(ReadError(deferred_));
      }
      body.data = piece_.get();
      body.size = kPiece;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline_ - std::chrono::steady_clock::now());
      Arm(conn_, std::min(limits_.read_timeout, std::max(left, std::chrono::milliseconds(1))));
      auto [ec, n] = co_await http::async_read_some(conn_->socket, buffer_, parser_, kAsTuple);
      conn_->timer.cancel();
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        failed_ = true;
        if (conn_->timed_out) co_return Failure(ErrorCode::kDeadlineExceeded, "request body");
        co_return tl::unexpected(ReadError(ec));
      }
      // Parse what the connection has already buffered into the same piece, without waiting.
      while (!parser_.is_done() && body.size > 0 && buffer_.size() > 0) {
        beast::error_code pec;
        size_t used = parser_.put(buffer_.data(), pec);
        buffer_.consume(used);
        if (pec == http::error::need_more || pec == http::error::need_buffer) break;
        if (pec) {
          deferred_ = pec;  // the pieces before it are good; the next Read reports it
          break;
        }
        if (used == 0) break;
      }
      got = kPiece - body.size;
    }
    if (got > 0) co_return std::string_view(piece_.get(), got);
    done_ = true;
    co_return std::string_view();
  }
  bool done() const override { return done_; }
  bool failed() const { return failed_; }

 private:
  std::shared_ptr<Connection> conn_;
  beast::flat_buffer& buffer_;
  http::request_parser<http::buffer_body>& parser_;
  const Limits& limits_;
  Metrics& metrics_;
  BodyReservation held_;
  std::chrono::steady_clock::time_point deadline_;
  std::unique_ptr<char[]> piece_;  // allocated by the first read
  beast::error_code deferred_;
  bool continued_ = false;
  bool done_ = false;
  bool failed_ = false;
};

// Forgets the connection of its address (counted by Server::Accept) however the session ends.
class ClientSlot {
 public:
  ClientSlot(ClientConnections* clients, std::string address)
      : clients_(clients), address_(std::move(address)) {}
  ~ClientSlot() {
    if (clients_ != nullptr) clients_->Close(address_);
  }
  ClientSlot(const ClientSlot&) = delete;
  ClientSlot& operator=(const ClientSlot&) = delete;

 private:
  ClientConnections* clients_;
  std::string address_;
};

}  // namespace

asio::awaitable<void> Server::Session(tcp::socket socket, std::string client_ip, bool admitted) {
  Metrics& metrics = app_.metrics();
  const Limits& limits = options_.limits;
  ClientSlot slot(admitted ? &clients_ : nullptr, client_ip);
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto conn = std::make_shared<Connection>(std::move(socket));
  bool over = static_cast<size_t>(metrics.connections()) >= limits.max_connections;
  if (!admitted || over) {
    Error error{ErrorCode::kUnavailable, "Too many connections.", "Quá nhiều kết nối."};
    if (!admitted) {
      metrics.ConnectionRejectedPerClient();
      error = Error{ErrorCode::kUnavailable, "Too many connections from your address.",
                    "Quá nhiều kết nối từ địa chỉ của bạn."};
    } else {
      metrics.ConnectionRejected();
    }
    std::string id = app_.NewRequestId();
    Response res = ErrorResponse(error, id);
    res.headers.emplace_back("X-Request-Id", id);
    res.headers.emplace_back("Retry-After", "1");
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
    http::request_parser<http::empty_body> header_parser;
    header_parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    // Beast checks a declared Content-Length against this limit with the header; the route's
    // own limit is applied once the route is known.
    header_parser.body_limit(std::max<uint64_t>(limits.max_body_bytes, limits.max_upload_bytes));
    Arm(conn, limits.read_timeout);
    auto [hec, hn] =
        co_await http::async_read_header(conn->socket, buffer, header_parser, kAsTuple);
    // A request answered without reading its body (bad framing, no room for the body), then
    // the connection is closed.
    std::optional<Error> refused;
    if (!hec) refused = CheckFraming(header_parser.get().base());
    bool streams =
        !hec && !refused &&
        app_.StreamsBody(header_parser.get().method_string(), header_parser.get().target());
    if (!hec && !refused && !streams && header_parser.content_length() &&
        *header_parser.content_length() > limits.max_body_bytes) {
      hec = http::error::body_limit;
    }
    if (!hec && !refused && !streams) {
      // The usual request: read the whole (small) body under max_body_bytes, holding its size
      // of the body budget until the answer is written.
      http::request_parser<http::string_body> parser(std::move(header_parser));
      parser.body_limit(limits.max_body_bytes);
      BodyReservation held(bodies_);
      if (!HoldBody(held, parser, limits.max_body_bytes)) {
        refused = Busy();
      } else {
        Status sent = co_await SendContinue(*conn, parser.get());
        if (!sent) break;
        while (!parser.is_done()) {
          if (!HoldBody(held, parser, limits.max_body_bytes)) {
            refused = Busy();
            break;
          }
          auto [rec, n] = co_await http::async_read_some(conn->socket, buffer, parser, kAsTuple);
          if (rec) {
            hec = rec;
            break;
          }
        }
      }
      if (refused) metrics.BodyRefused();
      if (!hec && !refused) {
        auto& msg = parser.get();
        FromBeast(msg, req);
        req.client_ip = ClientOf(client_ip, req);
        req.body_stream = nullptr;
        bool keep_alive = msg.keep_alive() && served + 1 < limits.max_requests_per_connection;
        bool head = msg.method() == http::verb::head;
        conn->timer.cancel();
        Response res = co_await app_.Handle(req);
        std::string().swap(req.body);  // a connection waiting for its next request holds no body
        auto out = ToBeast(res, msg.version(), keep_alive, head);
        Arm(conn, limits.write_timeout);
        auto [wec, wn] = co_await http::async_write(conn->socket, out, kAsTuple);
        if (wec || !keep_alive) break;
        continue;
      }
    }
    if (!hec && !refused) {
      // A streamed body (uploads): the handler pulls it piece by piece through BodyStream.
      // The branch above that moved header_parser ended the iteration (continue or break).
      // NOLINTNEXTLINE(bugprone-use-after-move)
      http::request_parser<http::buffer_body> parser(std::move(header_parser));
      parser.body_limit(limits.max_upload_bytes);
      SocketBodyStream body(conn, buffer, parser, limits, bodies_, metrics);
      HeaderFromBeast(parser.get().base(), req);
      req.client_ip = ClientOf(client_ip, req);
      req.body.clear();
      req.body_stream = &body;
      unsigned version = parser.get().version();
      bool keep_alive = parser.get().keep_alive();
      conn->timer.cancel();
      Response res = co_await app_.Handle(req);
      req.body_stream = nullptr;
      // A body the handler did not read to its end (it refused the upload early) cannot be
      // skipped safely: answer, then close.
      keep_alive = keep_alive && body.done() && !body.failed() &&
                   served + 1 < limits.max_requests_per_connection;
      auto out = ToBeast(res, version, keep_alive, false);
      Arm(conn, limits.write_timeout);
      auto [wec, wn] = co_await http::async_write(conn->socket, out, kAsTuple);
      if (!wec && !body.done()) co_await Linger(conn, buffer);
      if (wec || !keep_alive) break;
      continue;
    }
    if (!refused && (hec == http::error::end_of_stream || hec == asio::error::connection_reset ||
                     hec == asio::error::eof)) {
      break;
    }
    std::string id = app_.NewRequestId();
    Response res = refused           ? ErrorResponse(*refused, id)
                   : conn->timed_out ? ErrorResponse(Error{ErrorCode::kDeadlineExceeded}, id)
                   : hec == http::error::header_limit
                       ? ErrorResponse(TransportError::kHeaderTooLarge, id)
                       : ErrorResponse(ReadError(hec), id);
    res.headers.emplace_back("X-Request-Id", id);
    if (res.status == 503) res.headers.emplace_back("Retry-After", "1");
    metrics.Observe(metrics.unmatched_index(), res.status, std::chrono::nanoseconds(0));
    std::string why = refused ? refused->message : conn->timed_out ? "timeout" : hec.message();
    LogLine("{\"level\":\"info\",\"msg\":\"unreadable request\",\"client\":\"" + client_ip +
            "\",\"status\":" + std::to_string(res.status) + ",\"error\":\"" + JsonEscape(why) +
            "\"}");
    auto out = ToBeast(res, 11, false, false);
    Arm(conn, std::chrono::milliseconds(2000));
    auto [wec, wn] = co_await http::async_write(conn->socket, out, kAsTuple);
    if (!wec && !conn->timed_out) co_await Linger(conn, buffer);
    break;
  }
  conn->timer.cancel();
  conn->socket.shutdown(tcp::socket::shutdown_send, ec);
  metrics.ConnectionClosed();
}

}  // namespace motcua
