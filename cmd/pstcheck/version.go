package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/pstcheck
//
// When empty, the module version recorded in the binary is used (set by
// "go install github.com/pstcheck/pstcheck/cmd/pstcheck@v1.2.3"), else "dev".
var version string

// resolveVersion returns the version to print and to record in reports.
func resolveVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// NewCmdVersion builds "pstcheck version".
func NewCmdVersion(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of pstcheck",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(ios.Out, "pstcheck %s\n", resolveVersion())
			fmt.Fprintf(ios.Out, "built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
