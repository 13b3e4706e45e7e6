//! Owns the life of one LSP session around the handlers: whether `shutdown` and `exit` arrived (which decides
//! the exit code and when to stop), and [`Guarded`], the service wrapper that keeps a panicking handler from
//! ending the process.
//!
//! `tower-lsp-server` polls every handler inside its `serve` future: a panic in one would unwind through
//! `serve` and end the server, and after `exit` (or the end of the input) `serve` waits for every handler
//! still running, even one waiting for an answer the client will never send. [`Guarded`] catches a panic in
//! one handler, logs it with the method's name and answers the request with `-32603 Internal error`; the
//! caller of [`Session::ended`] gives the handlers a short grace period after `exit` and then stops anyway.
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::watch;
use tower_lsp_server::jsonrpc::{Error, Request, Response};
use tower_service::Service;

/// How long handlers still running after `exit` (or the end of the input) may take before the server stops
/// without them.
pub const EXIT_GRACE: Duration = Duration::from_secs(1);

/// The state of one session shared by the transport, the service wrapper and `serve`.
pub struct Session {
    shutdown: AtomicBool,
    exit: AtomicBool,
    ended: watch::Sender<bool>,
}

impl Default for Session {
    fn default() -> Session {
        Session {
            shutdown: AtomicBool::new(false),
            exit: AtomicBool::new(false),
            ended: watch::Sender::new(false),
        }
    }
}

impl Session {
    /// Marks the session as over (`exit` received, input closed, output gone); logs why the first time.
    pub fn end(&self, why: &str) {
        if !self.ended.send_replace(true) {
            tracing::info!("the session ends: {why}");
        }
    }

    /// Resolves once [`Session::end`] was called.
    pub async fn ended(&self) {
        let mut ended = self.ended.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = ended.wait_for(|ended| *ended).await;
    }

    /// Whether a `shutdown` request was answered successfully.
    pub fn shutdown_received(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// How the session ended, once it has.
    pub fn outcome(&self, abandoned_handlers: bool) -> SessionEnd {
        SessionEnd {
            shutdown_received: self.shutdown_received(),
            exit_received: self.exit.load(Ordering::SeqCst),
            abandoned_handlers,
        }
    }
}

/// How a session ended (returned by [`serve`](super::serve)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionEnd {
    /// `shutdown` was received (and answered) before the end.
    pub shutdown_received: bool,
    /// The session ended with `exit` (otherwise: the input closed or the output failed).
    pub exit_received: bool,
    /// Handlers were still running after the grace period and were dropped.
    pub abandoned_handlers: bool,
}

impl SessionEnd {
    /// The process's exit code: 0 after `shutdown`, else 1 (LSP: "The server should exit with success code 0
    /// if the shutdown request has been received before; otherwise with error code 1").
    pub fn exit_code(&self) -> ExitCode {
        if self.shutdown_received {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

/// Wraps the `LspService`: notes `shutdown` and `exit` in the [`Session`], and isolates each handler so that
/// a panic is logged and answered with an internal error while the other handlers go on.
pub struct Guarded<S> {
    inner: S,
    session: std::sync::Arc<Session>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, session: std::sync::Arc<Session>) -> Guarded<S> {
        Guarded { inner, session }
    }
}

type Answer<E> = Result<Option<Response>, E>;

impl<S> Service<Request> for Guarded<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + Unpin + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Answer<S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = request.method().to_owned();
        let id = request.id().cloned();
        if method == "exit" {
            self.session.exit.store(true, Ordering::SeqCst);
            self.session.end("`exit` received");
        }
        let session = self.session.clone();
        // The router decodes the parameters in `call`: it may panic too.
        let call = std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request)));
        Box::pin(async move {
            let outcome = match call {
                Ok(mut future) => {
                    std::future::poll_fn(|cx| {
                        match std::panic::catch_unwind(AssertUnwindSafe(|| {
                            Pin::new(&mut future).poll(cx)
                        })) {
                            Ok(Poll::Pending) => Poll::Pending,
                            Ok(Poll::Ready(answer)) => Poll::Ready(Ok(answer)),
                            Err(panic) => Poll::Ready(Err(panic)),
                        }
                    })
                    .await
                }
                Err(panic) => Err(panic),
            };
            match outcome {
                Ok(answer) => {
                    if method == "shutdown"
                        && matches!(&answer, Ok(Some(response)) if response.is_ok())
                    {
                        session.shutdown.store(true, Ordering::SeqCst);
                    }
                    answer
                }
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "(no message)".to_string());
                    tracing::error!(
                        "the handler of {method} panicked: {message}; answered with an internal \
                         error, serving goes on"
                    );
                    Ok(id.map(|id| Response::from_error(id, Error::internal_error())))
                }
            }
        })
    }
}
