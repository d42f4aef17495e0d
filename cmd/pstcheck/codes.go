package main

import (
	"github.com/pstcheck/pstcheck/report"
	"github.com/spf13/cobra"
)

// CodesOptions are the options of `pstcheck codes`.
type CodesOptions struct {
	IO       *IOStreams
	Markdown bool
}

// NewCmdCodes lists the catalog of finding codes.
func NewCmdCodes(ios *IOStreams, runF func(*CodesOptions) error) *cobra.Command {
	opts := &CodesOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "codes",
		Short: "List every finding code with its severity, layer and meaning",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return codesRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Markdown, "markdown", false, "print a Markdown table")
	return cmd
}

func codesRun(opts *CodesOptions) error {
	if opts.Markdown {
		return report.CodesMarkdown(opts.IO.Out)
	}
	return report.CodesText(opts.IO.Out)
}
