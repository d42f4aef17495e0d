package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	old := version
	t.Cleanup(func() { version = old })
	for _, v := range []string{"", "v1.2.3"} {
		version = v
		ios, stdout, stderr := testIO(false)
		if status := runCLI(ios, "version"); status != 0 {
			t.Errorf("status = %d", status)
		}
		want := "pstcheck " + resolveVersion() + "\n"
		if !strings.HasPrefix(stdout.String(), want) || !strings.Contains(stdout.String(), runtime.Version()) {
			t.Errorf("version %q: output %q, want %q and the Go version", v, stdout, want)
		}
		if v != "" && resolveVersion() != v {
			t.Errorf("resolveVersion() = %q, want the -ldflags value %q", resolveVersion(), v)
		}
		if stderr.Len() != 0 {
			t.Errorf("stderr = %q", stderr)
		}
	}
	version = ""
	if resolveVersion() == "" {
		t.Error("empty default version")
	}
}

func TestVersionFlag(t *testing.T) {
	ios, stdout, _ := testIO(false)
	if status := runCLI(ios, "--version"); status != 0 {
		t.Errorf("status = %d", status)
	}
	if got, want := stdout.String(), "pstcheck "+resolveVersion()+"\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestCompletion(t *testing.T) {
	tests := []struct{ shell, want string }{
		{"bash", "bash completion"},
		{"zsh", "zsh completion"},
		{"fish", "fish completion"},
		{"powershell", "powershell completion"},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			ios, stdout, stderr := testIO(false)
			if status := runCLI(ios, "completion", tt.shell); status != 0 {
				t.Errorf("status = %d, stderr %q", status, stderr)
			}
			if !strings.Contains(stdout.String(), tt.want) || !strings.Contains(stdout.String(), "pstcheck") {
				t.Errorf("script does not look like a %s completion for pstcheck:\n%.300s", tt.shell, stdout)
			}
		})
	}
}

func TestCompletionOfFormat(t *testing.T) {
	ios, stdout, _ := testIO(false)
	if status := runCLI(ios, "__complete", "scan", "--format", ""); status != 0 {
		t.Errorf("status = %d", status)
	}
	for _, f := range []string{"text", "json", "csv"} {
		if !strings.Contains(stdout.String(), f+"\n") {
			t.Errorf("format %s not offered: %q", f, stdout)
		}
	}
}

func TestHelpDocumentsExitStatus(t *testing.T) {
	ios, stdout, _ := testIO(false)
	if status := runCLI(ios, "scan", "--help"); status != 0 {
		t.Errorf("status = %d", status)
	}
	for _, want := range []string{"Exit status:", "0  every file is healthy", "1  a file is damaged or unreadable",
		"2  usage error", "3  both", "--format", "json", "csv", "--output", "--jobs", "--no-progress"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("scan help lacks %q", want)
		}
	}
}

func TestRootHelp(t *testing.T) {
	ios, stdout, _ := testIO(false)
	if status := runCLI(ios, "--help"); status != 0 {
		t.Errorf("status = %d", status)
	}
	for _, want := range []string{"scan", "version", "completion"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("root help lacks %q", want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"unknown flag: --x", "unknown flag: --x"},
		{"unknown command \"scn\" for \"pstcheck\"\n\nDid you mean this?\n\tscan\n",
			`unknown command "scn" for "pstcheck" (did you mean "scan"?)`},
		{"a\n\nDid you mean this?\n\tscan\n\tscat\n", `a (did you mean "scan" or "scat"?)`},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
