//! Report files written by `verbatim check --output FILE`: written beside their final name and renamed
//! into place when complete, so a failed or interrupted check never leaves half a report behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A report being written; [`OutputFile::persist`] puts it in place, dropping it unfinished removes it.
pub struct OutputFile {
    writer: Option<BufWriter<File>>,
    temporary: PathBuf,
    path: PathBuf,
}

impl OutputFile {
    /// Starts writing `path` (its folder must exist). An existing file is replaced only by `persist`.
    pub fn create(path: &Path) -> io::Result<OutputFile> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".tmp{}", std::process::id()));
        let temporary = path.with_file_name(temporary_name);
        let file = File::create(&temporary)?;
        Ok(OutputFile {
            writer: Some(BufWriter::with_capacity(1 << 17, file)),
            temporary,
            path: path.to_path_buf(),
        })
    }

    /// Flushes the report to disk and renames it to its final name.
    pub fn persist(mut self) -> io::Result<()> {
        if let Some(writer) = self.writer.take() {
            let file = writer
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?;
            file.sync_all()?;
        }
        fs::rename(&self.temporary, &self.path).inspect_err(|_| {
            let _ = fs::remove_file(&self.temporary);
        })
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(writer) => writer.write(buf),
            None => Err(io::Error::other("the report file is closed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.write_all(buf),
            None => Err(io::Error::other("the report file is closed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}
