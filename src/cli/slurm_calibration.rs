//! `cogov slurm CAL.toml`: the submit script of a calibration on Slurm. A calibration's
//! batches are sequential (each depends on the last), so the script submits one small driver
//! job that loops: ask `cogov calibrate --resume --next-batch` what is next (the last line of
//! its stdout, `next-batch BATCH FILE` or `complete DIR`), run that batch as a job array of
//! shards, merge it, place it at `DIR/batches/<batch>`, and ask again. The calibration decides
//! what is done (a batch directory counts only with its manifest complete and its
//! fingerprint), so the driver can be killed and submitted again at any point.

use std::path::Path;

use super::calibrate::{COMPLETE, NEXT_BATCH};
use super::experiment::{check_slurm_time, script_text, sh, slurm_jobs, SlurmArgs, SlurmJobs};
use super::CliError;
use crate::experiment::calibration;

/// The driver's time limit unless `--driver-time` says otherwise.
pub const DRIVER_TIME: &str = "3-00:00:00";
/// Seconds between the driver's looks at its job array unless `--poll` says otherwise.
pub const POLL: u32 = 30;

/// Whether `path` is a calibration file (a TOML file with a `[calibration]` table). Anything
/// else, unreadable files included, goes to the experiment loader and its errors.
pub fn is_calibration(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .is_some_and(|t| t.get("calibration").is_some_and(toml::Value::is_table))
}

/// The submit script of the calibration in `args.experiment`.
pub fn driver_script(args: &SlurmArgs) -> Result<String, CliError> {
    let cal =
        calibration::load_file(&args.experiment).map_err(|e| CliError::Config(e.to_string()))?;
    let SlurmJobs {
        input,
        out,
        bin,
        partition,
        mem,
    } = slurm_jobs(args)?;
    let driver_time = args.driver_time.as_deref().unwrap_or(DRIVER_TIME);
    check_slurm_time(driver_time).map_err(|e| match e {
        CliError::Config(m) => CliError::Config(m.replacen("--time", "--driver-time", 1)),
        other => other,
    })?;
    let poll = args.poll.unwrap_or(POLL);
    if poll == 0 {
        return Err(CliError::Config("--poll: must be at least 1 second".into()));
    }
    let name = sh(script_text("the calibration's name", &cal.name)?);
    let values = [
        ("NAME", name),
        ("CAL", input),
        ("DIR", out),
        ("COGOV", bin),
        ("PARTITION", partition),
        ("MEM", mem),
        ("CPUS", args.cpus.to_string()),
        ("TIME", args.time.clone()),
        ("DRIVER_TIME", driver_time.to_string()),
        ("SHARDS", args.shards.to_string()),
        ("LAST", (args.shards - 1).to_string()),
        ("POLL", poll.to_string()),
        ("NEXT_BATCH", NEXT_BATCH.to_string()),
        ("COMPLETE", COMPLETE.to_string()),
    ];
    Ok(fill(TEMPLATE, &values))
}

/// `template` with every `@NAME@` replaced by its value, in one pass (a value is never
/// scanned again); an `@` not starting a known name is kept.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut text = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(at) = rest.find('@') {
        text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let known = after.find('@').and_then(|end| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..end])
                .map(|(_, v)| (end, v))
        });
        match known {
            Some((end, v)) => {
                text.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                text.push('@');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// The submit script. Values reach the shell single-quoted (paths, names) or checked
/// (numbers, Slurm's time and memory syntax); the job scripts are written through quoted
/// heredocs, so nothing in them is expanded when they are written.
const TEMPLATE: &str = r#"#!/bin/bash
# cogov on Slurm: calibration @NAME@, run batch by batch by a driver job.
# Submit with:  bash THIS_FILE      (needs sbatch and squeue on the PATH)
# The driver job (1 CPU, time limit @DRIVER_TIME@) asks `cogov calibrate --resume --next-batch`
# for the next batch, runs it as a job array of @SHARDS@ shards, merges them, places the merged
# sweep at DIR/batches/<batch>, and repeats until the calibration is complete; its last call
# writes the results (tables, charts) into DIR, then the driver its reports (report_en.html,
# report_zh.html). What the driver makes besides is under
# DIR/slurm: the job scripts, logs/, and scratch/<batch> while a batch runs. Submitting this
# again after the driver was killed or ran out of time continues where it stopped: a placed
# batch is not run again, nor a finished shard of the batch in flight.
set -euo pipefail
DIR=@DIR@
CAL=@CAL@
COGOV=@COGOV@
S="$DIR/slurm"
if [ ! -e "$DIR" ]; then
    # Starts the calibration directory; no run: the first batch is left to the driver.
    "$COGOV" calibrate "$CAL" --out "$DIR" --next-batch --threads 1 --quiet --no-charts > /dev/null
elif [ ! -f "$DIR/manifest.json" ]; then
    echo "$DIR: exists and is not a calibration directory; choose another --out" >&2
    echo "$DIR：已存在且不是校准输出目录；请另选 --out" >&2
    exit 2
fi
mkdir -p "$S/logs"
if [ -f "$S/driver.id" ]; then
    old=$(cat "$S/driver.id")
    if [ -n "$(squeue -h -j "$old" -o %i 2>/dev/null || true)" ]; then
        echo "the driver of $DIR is still running (job $old): wait for it, or scancel $old first" >&2
        echo "该校准的驱动作业仍在运行（作业 $old）：请等待其结束，或先 scancel $old" >&2
        exit 1
    fi
fi

cat > "$S/shards.sbatch" <<'COGOV_EOF'
#!/bin/bash
#SBATCH --job-name=cogov-shards
#SBATCH --cpus-per-task=@CPUS@
#SBATCH --time=@TIME@
@PARTITION@@MEM@set -euo pipefail
# $1: the batch's scratch directory, with batch.toml and the base.toml it names.
exec @COGOV@ sweep "$1/batch.toml" --out "$1/shard-$SLURM_ARRAY_TASK_ID" --shard "$SLURM_ARRAY_TASK_ID"/@SHARDS@ --threads @CPUS@ --resume --quiet --no-charts
COGOV_EOF

cat > "$S/driver.sbatch" <<'COGOV_EOF'
#!/bin/bash
#SBATCH --job-name=cogov-driver
#SBATCH --cpus-per-task=1
#SBATCH --time=@DRIVER_TIME@
@PARTITION@@MEM@set -euo pipefail
DIR=@DIR@
CAL=@CAL@
COGOV=@COGOV@
S="$DIR/slurm"
# Returns once Slurm no longer lists job $1 (a job it no longer knows has finished).
wait_for() {
    local listed
    while :; do
        if listed=$(squeue -h -j "$1" -o %i 2>&1); then
            [ -z "$listed" ] && return 0
        else
            case $listed in *"Invalid job id"*) return 0 ;; esac
        fi
        sleep @POLL@
    done
}
placed=
while :; do
    said=$("$COGOV" calibrate "$CAL" --out "$DIR" --resume --next-batch --threads 1)
    printf '%s\n' "$said"
    last=${said##*$'\n'}
    batch=
    case $last in
        "@COMPLETE@ "*)
            for lang in en zh; do
                "$COGOV" report "$DIR" --lang "$lang" --quiet \
                    || echo "cogov driver: no $lang report (cogov report $DIR --lang $lang) 未能生成报告" >&2
            done
            echo "cogov driver: the calibration is complete 校准完成: $DIR"
            exit 0 ;;
        "@NEXT_BATCH@ "*)
            rest=${last#@NEXT_BATCH@ }
            batch=${rest%% *} ;;
    esac
    if ! [[ $batch =~ ^[A-Za-z0-9._-]+$ ]]; then
        echo "cogov driver: cannot read the last line of cogov calibrate 无法读取 cogov calibrate 的输出: $last" >&2
        exit 1
    fi
    if [ "$batch" = "$placed" ]; then
        echo "cogov driver: batch $batch was placed but not taken as complete 已放置的批次未被接受" >&2
        exit 1
    fi
    B="$S/scratch/$batch"
    # A scratch of this name for other contents (a prediction changed since) is the driver's own: replaced.
    if ! cmp -s "$DIR/next_batch.toml" "$B/batch.toml"; then
        rm -rf "$B"
        mkdir -p "$B"
        cp "$DIR/base.toml" "$B/base.toml"
        cp "$DIR/next_batch.toml" "$B/batch.toml.part"
        mv "$B/batch.toml.part" "$B/batch.toml"
    fi
    # An array of this batch that an earlier driver submitted may still run: it finishes first.
    if [ -f "$B/array.id" ]; then wait_for "$(cat "$B/array.id")"; fi
    array=$(sbatch --parsable --array=0-@LAST@ --output="$S/logs/$batch-shard-%a.out" "$S/shards.sbatch" "$B")
    array=${array%%;*}
    echo "$array" > "$B/array.id"
    echo "cogov driver: batch $batch 批次 → job array 作业数组 $array"
    wait_for "$array"
    shards=()
    for ((i = 0; i < @SHARDS@; i++)); do shards+=("$B/shard-$i"); done
    if ! "$COGOV" merge "${shards[@]}" --out "$B/merged" --force --no-charts; then
        echo "cogov driver: batch $batch did not finish (see $S/logs/$batch-shard-*.out); submit again to continue" >&2
        echo "批次 $batch 未完成（见日志 $S/logs/$batch-shard-*.out）；重新提交即可继续" >&2
        exit 1
    fi
    target="$DIR/batches/$batch"
    if [ -e "$target" ]; then
        # Not this batch's complete sweep (a local run stopped mid-way, a prediction made before
        # [prediction] changed): kept, moved aside.
        aside="$S/set-aside/$batch-$(date +%Y%m%dT%H%M%S)"
        mkdir -p "$S/set-aside"
        mv "$target" "$aside"
        echo "cogov driver: moved $target aside to 已移至 $aside"
    fi
    mv "$B/merged" "$target"
    rm -rf "$B"
    placed=$batch
done
COGOV_EOF

driver=$(sbatch --parsable --output="$S/logs/driver-%j.out" "$S/driver.sbatch")
driver=${driver%%;*}
echo "$driver" > "$S/driver.id"
echo "submitted the driver of calibration "@NAME@" as job $driver 已提交校准驱动作业; log 日志: $S/logs/driver-$driver.out; results in 结果: $DIR"
"#;

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fill_replaces_known_names_once_and_keeps_other_ats() {
        let values = [("A", "@B@".to_string()), ("B", "x".to_string())];
        assert_eq!(
            fill(r#"@A@ "${s[@]}" @B@ @C@ a@b"#, &values),
            r#"@B@ "${s[@]}" x @C@ a@b"#
        );
    }
}
