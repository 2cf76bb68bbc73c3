//! Progress of long runs: a bar on a terminal, a log line every few seconds otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    bar: Option<ProgressBar>,
    total: Option<usize>,
    done: usize,
    started: Instant,
    last_log: Instant,
}

impl Progress {
    /// `total` is the number of pages when known in advance (archives are counted as they are read).
    pub fn new(total: Option<usize>, enabled: bool) -> Self {
        Self::counting(total, enabled, "pages")
    }

    /// Progress over `total` things called `unit` ("pages", "steps").
    pub fn counting(total: Option<usize>, enabled: bool, unit: &str) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| match total {
            Some(total) => ProgressBar::new(total as u64).with_style(
                ProgressStyle::with_template(&format!(
                    "{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, eta {{eta}}) {{msg}}"
                ))
                .expect("static template"),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(&format!(
                    "{{spinner}} [{{elapsed_precise}}] {{pos}} {unit} ({{per_sec}}) {{prefix}} {{msg}}"
                ))
                .expect("static template"),
            ),
        });
        let now = Instant::now();
        Progress { bar, total, done: 0, started: now, last_log: now }
    }

    pub fn advance(&mut self, message: &str) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_string());
            bar.inc(1);
        } else if self.last_log.elapsed() >= LOG_EVERY {
            self.last_log = Instant::now();
            let rate = self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            let total = self.total.map_or_else(|| "?".to_string(), |t| t.to_string());
            tracing::info!(done = self.done, total, per_sec = format!("{rate:.1}"), "progress {message}");
        }
    }

    /// A status line from the source (crawl counters): on the bar, or as a log line.
    pub fn set_status(&mut self, status: &str) {
        match &self.bar {
            Some(bar) => bar.set_prefix(status.to_string()),
            None => tracing::info!("{status}"),
        }
    }

    /// Prints a line without breaking the bar.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
