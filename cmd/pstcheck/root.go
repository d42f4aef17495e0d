package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// NewCmdRoot builds the pstcheck command tree on the given streams.
func NewCmdRoot(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pstcheck <command> [flags]",
		Short: "Check Outlook PST and OST files for damage",
		Long: `pstcheck checks Outlook data files (.pst and .ost) for damage without
changing them: it verifies the header, the B-trees, every block's checksum
and the folder tree, then says what is wrong and what to do next (nothing,
run scanpst, export the data, recreate the OST or restore a backup).

Files are opened read-only and never locked, so it is safe to run on a copy
or, with care, on a file Outlook is not using.`,
		Example: `  pstcheck scan ~/Documents/Outlook\ Files/archive.pst
  pstcheck scan --format json --output report.json /mnt/backup/mail
  pstcheck completion bash > /etc/bash_completion.d/pstcheck`,
		Version:       resolveVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SetVersionTemplate("pstcheck {{.Version}}\n")
	// Every flag parsing error, in any subcommand, is a usage error.
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err: err}
	})

	cmd.AddCommand(NewCmdScan(ios, nil))
	cmd.AddCommand(NewCmdVersion(ios))
	cmd.AddCommand(NewCmdCodes(ios, nil))
	cmd.AddCommand(NewCmdExport(ios, nil))
	cmd.AddCommand(NewCmdRepair(ios, nil))
	// Cobra adds its own "completion" command (bash, zsh, fish, powershell)
	// when the tree runs, because the root has subcommands.
	return cmd
}

// usageError is a mistake in the command line: a bad flag or argument. It
// is reported as one line plus a hint to read the help, with exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, a ...any) error {
	return &usageError{err: fmt.Errorf(format, a...)}
}

// exitStatus is returned by a command that has already written its output
// and only needs the process to end with a non-zero status.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// asError turns a run function's exit status and error into the error
// execute understands.
func asError(status int, err error) error {
	if err != nil {
		return err
	}
	if status != exitOK {
		return exitStatus(status)
	}
	return nil
}

// runError is a failure while running a command whose arguments were fine
// (the output file cannot be written, for example).
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// interruptedError ends a command stopped by Ctrl-C: what was done
// before it stopped, and how to go on.
type interruptedError struct{ done string }

func (e *interruptedError) Error() string { return "interrupted: " + e.done }

// Exit statuses (the README's "Exit status").
const (
	exitOK          = 0
	exitUsage       = 2   // usage error, or a file could not be read or written
	exitInterrupted = 130 // stopped by Ctrl-C (128 + SIGINT, as shells report it)
)

// execute runs the command tree and returns the process exit status,
// printing any error as a single line on ErrOut.
func execute(root *cobra.Command, ios *IOStreams) int {
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	var ie *interruptedError
	if errors.As(err, &ie) {
		fmt.Fprintf(ios.ErrOut, "pstcheck: %s\n", ie)
		return exitInterrupted
	}
	var re *runError
	if errors.As(err, &re) {
		fmt.Fprintf(ios.ErrOut, "pstcheck: %s\n", re.err)
		return exitUsage
	}
	// Everything else comes from parsing the command line: a usageError
	// from our flags and argument checks, or cobra's "unknown command".
	if cmd == nil {
		cmd = root
	}
	fmt.Fprintf(ios.ErrOut, "pstcheck: %s\n", oneLine(err.Error()))
	fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return exitUsage
}

// oneLine folds cobra's multi-line messages ("unknown command ...\n\nDid
// you mean this?\n\tscan\n") into one line.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	var suggestions []string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "\t") {
			suggestions = append(suggestions, fmt.Sprintf("%q", strings.TrimSpace(l)))
		}
	}
	out := strings.TrimSpace(lines[0])
	if len(suggestions) > 0 {
		out += " (did you mean " + strings.Join(suggestions, " or ") + "?)"
	}
	return out
}

// printFailure writes a failure's lines to standard error, the first one
// marked as pstcheck's.
func printFailure(ios *IOStreams, lines []string) {
	for i, l := range lines {
		if i == 0 {
			l = "pstcheck: " + l
		}
		fmt.Fprintln(ios.ErrOut, l)
	}
}
