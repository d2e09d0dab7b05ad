//! `cogov serve`: start the classroom server, print its address, open a browser.

use std::path::PathBuf;

use super::CliError;
use crate::serve::{lan_address, preset_of, Options, Server};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one （端口；0 表示自动选择空闲端口）
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Serve the local network behind a room code, not only this computer
    /// （向局域网开放，凭房间码进入）
    #[arg(long)]
    pub lan: bool,
    /// A scenario of your own, listed first among the lessons （自定义情景，列于课例之首）
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Do not open a browser （不自动打开浏览器）
    #[arg(long)]
    pub no_open: bool,
}

pub fn serve(args: &ServeArgs) -> Result<(), CliError> {
    let extra = match &args.scenario {
        Some(path) => {
            let sc = super::run::load_scenario(Some(path), None, None, &[])?;
            Some(preset_of(path, sc))
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the server: {e}")))?;
    runtime.block_on(async {
        let server = Server::bind(Options {
            port: args.port,
            lan: args.lan,
            extra,
        })
        .await
        .map_err(|e| {
            CliError::Runtime(format!(
                "cannot listen on port {}: {e}; try another --port / 无法监听端口{}，请换一个 --port",
                args.port, args.port
            ))
        })?;
        let port = server.addr.port();
        let (url, play) = match (&server.room, &server.teacher) {
            (Some(code), Some(key)) => {
                let host = lan_address().map_or("<this computer's address>".to_string(), |ip| ip.to_string());
                (
                    format!("http://{host}:{port}/?room={code}&teacher={key}"),
                    format!("http://{host}:{port}/play?room={code}"),
                )
            }
            _ => (
                format!("http://127.0.0.1:{port}/"),
                format!("http://127.0.0.1:{port}/play"),
            ),
        };
        outln!("cogov serve: {url}")?;
        // Role play: students open /play with the room code only; the teacher's key stays on the
        // teacher's screen (with it, anyone could steer the class).
        outln!("  students join at / 学生加入地址: {play}")?;
        if let Some(code) = &server.room {
            outln!("  room code / 房间码: {code}")?;
            outln!("  keep the teacher's address (its teacher= key) to yourself / 教师地址（含teacher=密钥）请勿告诉学生")?;
        }
        outln!("  the class page is ready; Ctrl-C stops the server / 课堂页面已就绪，按 Ctrl-C 停止")?;
        if !args.no_open {
            open_browser(&url);
        }
        server
            .run()
            .await
            .map_err(|e| CliError::Runtime(format!("server stopped: {e} / 服务器已停止")))
    })
}

/// Tries the platform's opener; a classroom PC without one still has the printed address.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "windows") {
        ("cmd", vec!["/C", "start", "", url])
    } else if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else {
        ("xdg-open", vec![url])
    };
    let _ = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
