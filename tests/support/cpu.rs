//! CPU time, for the tests that bound how much work something takes (a quadratic scan, a stall): the wall
//! clock grows when the machine is busy (CI runs on two shared cores, often loaded), the CPU time a piece of
//! work spends hardly does. A bound in CPU time is as strict on an idle machine and does not fail a busy one.
#![allow(dead_code)]

use std::time::Duration;

/// CPU time spent so far by the calling thread.
pub fn thread_time() -> Duration {
    #[cfg(unix)]
    return clock(libc::CLOCK_THREAD_CPUTIME_ID);
    #[cfg(not(unix))]
    return wall();
}

/// CPU time spent so far by this whole process, on all its threads (work on a thread pool; tests running
/// beside in the same test binary count too, so bounds on it are generous).
pub fn process_time() -> Duration {
    #[cfg(unix)]
    return clock(libc::CLOCK_PROCESS_CPUTIME_ID);
    #[cfg(not(unix))]
    return wall();
}

#[cfg(unix)]
fn clock(id: libc::clockid_t) -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write to; both clocks exist on every supported Unix.
    let status = unsafe { libc::clock_gettime(id, &mut now) };
    assert_eq!(status, 0, "clock_gettime failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Elsewhere: wall-clock time since the first call (no CPU clock without libc).
#[cfg(not(unix))]
fn wall() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// Runs `f` and returns its value and the CPU time the calling thread spent in it.
pub fn on_this_thread<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let before = thread_time();
    let value = f();
    (value, thread_time().saturating_sub(before))
}

/// Runs `f` and returns its value and the CPU time the whole process spent meanwhile.
pub fn in_this_process<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let before = process_time();
    let value = f();
    (value, process_time().saturating_sub(before))
}

/// Runs `f` on a thread of its own and fails when that thread has spent more than `limit` of CPU time (the
/// thread is left behind and ends with the test process), or when it has not finished after `limit` × 20 of
/// wall-clock time (stuck without spending CPU time). What `f` hands to other threads is not counted.
pub fn bounded(limit: Duration, what: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    let cpu = WorkerClock::of(&worker);
    let wall = std::time::Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(()) => return,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        let spent = cpu.spent();
        assert!(
            spent <= limit,
            "{what} took more than {limit:?} of CPU time"
        );
        assert!(
            wall.elapsed() <= limit * 20,
            "{what} has not finished after {:?} ({spent:?} of CPU time)",
            wall.elapsed()
        );
    }
}

/// The CPU clock of another thread.
struct WorkerClock {
    #[cfg(unix)]
    id: Option<libc::clockid_t>,
    #[cfg(not(unix))]
    started: std::time::Instant,
}

impl WorkerClock {
    fn of<T>(worker: &std::thread::JoinHandle<T>) -> WorkerClock {
        #[cfg(unix)]
        {
            use std::os::unix::thread::JoinHandleExt;
            let mut id: libc::clockid_t = 0;
            // SAFETY: the thread is alive until its handle is dropped (it is never joined or detached here
            // before the clock's last use), and `id` is valid to write to.
            let status = unsafe { libc::pthread_getcpuclockid(worker.as_pthread_t(), &mut id) };
            WorkerClock {
                id: (status == 0).then_some(id),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = worker;
            WorkerClock {
                started: std::time::Instant::now(),
            }
        }
    }

    /// CPU time the thread has spent (zero once it cannot be read: the thread ended).
    fn spent(&self) -> Duration {
        #[cfg(unix)]
        {
            let Some(id) = self.id else {
                return Duration::ZERO;
            };
            let mut now = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: as above; a clock of a thread that ended makes the call fail, which is handled.
            if unsafe { libc::clock_gettime(id, &mut now) } != 0 {
                return Duration::ZERO;
            }
            Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
        }
        #[cfg(not(unix))]
        self.started.elapsed()
    }
}
