package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/azsync/azsync/internal/output"
	"github.com/azsync/azsync/internal/report"
)

func newReportCommand(env Env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "report <shard output>… | <folder>",
		Short: "Merge the JSON outputs of a sharded sync's shards into one summary",
		Long: `Merges the --output-type=json outputs of the shards of one sync run with --shard=K/N (one
file per shard, or a folder holding them) into one summary: the totals, each shard's outcome, the
worst status, and the shards whose output is missing. A shard retried by its batch engine counts by
its last attempt.

Exit status: 0 when every shard completed, 1 when any failed, did not finish or is missing.`,
		Example: `  sbatch --array=0-3 --wait -o 'out/shard-%a.json' deploy/slurm-sync.sh
  azsync report out/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(env, g, args)
		},
	}
}

func runReport(env Env, g *globalFlags, args []string) error {
	opts, err := reporterOptions(env, g)
	if err != nil {
		return err
	}
	rep := output.New(opts)
	fail := func(err error) error {
		rep.Error("Cannot merge the shards' reports: " + describe(err))
		return errReported
	}
	if len(args) == 0 {
		return fail(fmt.Errorf(`report takes the shards' output files, or a folder holding them (see "azsync report --help")`))
	}
	inputs, err := report.Read(args)
	if err != nil {
		return fail(err)
	}
	merged, ok, err := report.Merge(inputs)
	if err != nil {
		return fail(err)
	}
	rep.Summary(merged)
	if !ok {
		return errReported
	}
	return nil
}
