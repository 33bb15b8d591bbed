//! Writing a streamed answer to a file chunk by chunk ([`download_to`]), over the
//! streamed-answer stack of `stream.rs` (no body cap, retries only before the first byte,
//! the total deadline over head and body).
//!
//! The breaker's permit of a 2xx attempt comes with the answer (`stream.rs`); the download
//! records it when the body is in: a success, or the failure table's verdict on what
//! stopped it (a body that breaks off or stalls past the deadline counts against the
//! breaker as a 503 would; a full disk or a checksum mismatch does not). A server that
//! cuts every download opens the breaker like one that refuses them.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;
use wats_breaker::Outcome;
use wats_core::{Error, Result, TimeoutPhase};

use crate::call::Call;
use crate::client::Client;
use crate::failure::Kind;
use crate::stream::{take_body, take_permit};

/// What a download shows each chunk to, and asks before the file takes its name (a
/// checksum, say). `()` accepts everything.
pub(crate) trait Inspect: Send {
    /// The next chunk, in order.
    fn chunk(&mut self, data: &[u8]);
    /// The whole body was written (`size` bytes): an error stops the download, and the
    /// part file is removed.
    ///
    /// # Errors
    /// Whatever the inspector finds wrong with the body.
    fn finish(&mut self, size: u64) -> Result<()>;
}

impl Inspect for () {
    fn chunk(&mut self, _data: &[u8]) {}

    fn finish(&mut self, _size: u64) -> Result<()> {
        Ok(())
    }
}

/// `path` with `.part` appended to its file name (`run.exe` → `run.exe.part`), where a
/// download is written before it is checked and renamed.
fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Send `call` through `client`'s streamed-answer stack and write a 2xx answer's body to
/// `path`, chunk by chunk: into `<path>.part` (folders made first), each chunk shown to
/// `inspect`, whose [`finish`](Inspect::finish) decides, then the part file is renamed to
/// `path`. Nothing is held but the chunk in flight. On any failure (transport, timeout,
/// the inspector's error, I/O) the part file is removed and `path` is left as it was.
///
/// Returns the number of bytes written.
pub(crate) async fn download_to(
    client: &Client,
    call: Call,
    path: &Path,
    inspect: &mut dyn Inspect,
) -> Result<u64> {
    let after = client.shared().timeout;
    let deadline = tokio::time::Instant::now().checked_add(after);
    let part = part_path(path);
    // The 2xx attempt's breaker permit, outside `work` so that a deadline that cuts
    // `work` off still records it. Dropped unrecorded if this future is cancelled.
    let permit = Mutex::new(None);
    let work = async {
        let answer = client.stream_stack().oneshot(call).await?;
        *permit.lock().unwrap_or_else(PoisonError::into_inner) = take_permit(&answer.response);
        let Some(mut body) = take_body(&answer.response) else {
            return Err(Error::Transport {
                message: "the streamed answer has no body".to_owned(),
                connect: false,
                source: None,
            });
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(io(parent))?;
        }
        let mut file = tokio::fs::File::create(&part).await.map_err(io(&part))?;
        let mut size = 0_u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| Error::Transport {
                message: format!("reading the download failed after {size} bytes: {e}"),
                connect: false,
                source: Some(e),
            })?;
            if let Ok(data) = frame.into_data() {
                inspect.chunk(&data);
                file.write_all(&data).await.map_err(io(&part))?;
                size += data.len() as u64;
            }
        }
        file.flush().await.map_err(io(&part))?;
        drop(file);
        inspect.finish(size)?;
        tokio::fs::rename(&part, path).await.map_err(io(path))?;
        Ok(size)
    };
    let result = match deadline {
        Some(deadline) => {
            tokio::time::timeout_at(deadline, work)
                .await
                .unwrap_or(Err(Error::Timeout {
                    after,
                    phase: TimeoutPhase::Call,
                }))
        }
        None => work.await,
    };
    if let Some(permit) = permit.into_inner().unwrap_or_else(PoisonError::into_inner) {
        permit.record(match &result {
            Ok(_) => Outcome::Success,
            Err(error) => Kind::of_error(error).verdict().breaker,
        });
    }
    if result.is_err() {
        // Best effort: the part file may not exist (the call failed before it was made).
        let _ = tokio::fs::remove_file(&part).await;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_keep_the_extension() {
        assert_eq!(
            part_path(Path::new("/d/run.exe")),
            Path::new("/d/run.exe.part")
        );
        assert_eq!(part_path(Path::new("run")), Path::new("run.part"));
    }
}
