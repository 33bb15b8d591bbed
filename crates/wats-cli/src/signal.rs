//! Waiting for Ctrl-C or (on Unix) SIGTERM.

use std::future::Future;

/// A future that resolves on the first Ctrl-C (SIGINT) or SIGTERM. On Unix the handlers are
/// installed when this function is called (not on first poll), so a signal that arrives
/// after the call and before the first poll is not lost to the default action. A handler
/// that cannot be installed is simply not waited for.
pub(crate) fn shutdown() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(term) => {}
                () = wait(int) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
