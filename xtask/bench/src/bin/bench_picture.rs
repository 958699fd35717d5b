//! `bench-picture IN OUT SIZE`: this project's picture pipeline on one file,
//! as a command like `vipsthumbnail`, so `cargo xtask bench` times both the
//! same way (one process per picture, file in, file out).

use std::process::ExitCode;

use profile_image::{ImageLimits, process};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, size] = args.as_slice() else {
        eprintln!("usage: bench-picture IN OUT SIZE");
        return ExitCode::from(2);
    };
    let Ok(size) = size.parse::<u32>() else {
        eprintln!("SIZE must be a number of pixels");
        return ExitCode::from(2);
    };
    let upload = match std::fs::read(input) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("cannot read {input}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let limits = ImageLimits { sizes: vec![size], max_bytes: u64::MAX, ..ImageLimits::default() };
    match process(&limits, &upload, None) {
        Ok(renditions) => match renditions.first().map(|r| std::fs::write(output, &r.bytes)) {
            Some(Ok(())) => ExitCode::SUCCESS,
            _ => {
                eprintln!("cannot write {output}");
                ExitCode::FAILURE
            }
        },
        Err(refused) => {
            eprintln!("refused: {refused}");
            ExitCode::FAILURE
        }
    }
}
