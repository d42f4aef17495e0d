// Command pstgen writes a synthetic PST archive of a given size or number
// of messages, shaped by flags and decided by a seed: the same seed and
// flags give the same file byte for byte. It is a developer tool, for
// tests and benchmarks that need archives larger than the real samples.
//
//	pstgen -o FILE (--size 2GB | --messages N) [--seed S] [shape flags]
//
// It prints what it wrote (folders, messages, bytes), how fast (written,
// and on disk: it syncs the file) and its peak memory; --manifest FILE also writes every folder's path and
// message count as JSON, for the checks that compare readers with it.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/internal/writeback"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pstgen:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

// sizeFlag parses sizes such as 2GB, 500MB, 64KiB or 1000.
type sizeFlag int64

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	*s = sizeFlag(n)
	return err
}

func parseSize(v string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, x := range []struct {
		suffix string
		m      int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(u, x.suffix) {
			u, mult = strings.TrimSuffix(u, x.suffix), x.m
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(u), 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad size %q", v)
	}
	return int64(f * float64(mult)), nil
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pstgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	shape := synth.DefaultShape()
	var (
		out, manifest string
		size          sizeFlag
		seed          uint64
		force         bool
		attachMin     = sizeFlag(shape.AttachMin)
		attachMax     = sizeFlag(shape.AttachMax)
	)
	fs.StringVar(&out, "o", "", "the PST file to write (required)")
	fs.Var(&size, "size", "write until the file is this large (2GB, 500MB, 64KiB)")
	fs.IntVar(&shape.Messages, "messages", 0, "write this many messages")
	fs.Uint64Var(&seed, "seed", 1, "the seed: the same seed and flags give the same file")
	fs.IntVar(&shape.Folders, "folders", shape.Folders, "folders under Top of Personal Folders")
	fs.IntVar(&shape.Depth, "depth", shape.Depth, "how deep the folders nest (1: side by side)")
	fs.IntVar(&shape.BodyMin, "body-min", shape.BodyMin, "shortest message body, in characters")
	fs.IntVar(&shape.BodyMax, "body-max", shape.BodyMax, "longest message body, in characters")
	fs.IntVar(&shape.AttachEvery, "attach-every", shape.AttachEvery, "give every n-th message attachments (0: none)")
	fs.Var(&attachMin, "attach-min", "smallest attachment")
	fs.Var(&attachMax, "attach-max", "largest attachment")
	fs.IntVar(&shape.EmbedEvery, "embed-every", shape.EmbedEvery, "give every n-th message an embedded message (0: none)")
	fs.IntVar(&shape.Recipients, "recipients", shape.Recipients, "most recipients of a message")
	fs.BoolVar(&shape.Received, "received", false, "make every message one received from the Internet by the mailbox's owner alone, with transport headers (4-6 KB) and a Message-ID")
	fs.IntVar(&shape.AssocEvery, "fai-every", shape.AssocEvery, "put a folder associated message in every n-th folder (0: none)")
	fs.Func("folder-weights", "share the messages among the folders by these weights, in folder order (60,25,15: 60% in the first)", func(v string) error {
		shape.Weights = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 0 {
				return fmt.Errorf("bad weight %q", f)
			}
			shape.Weights = append(shape.Weights, n)
		}
		return nil
	})
	fs.StringVar(&manifest, "manifest", "", "also write the folders and their message counts to this JSON file")
	fs.BoolVar(&force, "force", false, "overwrite FILE if it exists")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	shape.Size = int64(size)
	shape.AttachMin, shape.AttachMax = int(attachMin), int(attachMax)
	switch {
	case out == "":
		return usageError{errors.New("-o FILE is required")}
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case (shape.Size > 0) == (shape.Messages > 0):
		return usageError{errors.New("give one of --size and --messages")}
	}

	flags := os.O_RDWR | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_RDWR | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(out, flags, 0o644)
	if err != nil {
		return err
	}
	start := time.Now()
	wb := writeback.New(f)
	res, err := write(wb, shape, seed)
	took := time.Since(start)
	// The speed that counts is the disk's: the page cache takes a gigabyte
	// in a second, so the time to have it on disk is measured too.
	if err == nil {
		err = wb.Sync()
	}
	synced := time.Since(start)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d bytes, %d folders, %d messages (%d associated), seed %d\n",
		out, st.Size(), len(res.Folders), res.Messages, res.Assoc, seed)
	mb := float64(st.Size()) / 1e6
	fmt.Fprintf(stdout, "written in %.2f s: %.0f MB/s, on disk in %.2f s: %.0f MB/s, peak RSS %.1f MB\n",
		took.Seconds(), mb/took.Seconds(), synced.Seconds(), mb/synced.Seconds(), float64(peakRSS())/1e6)
	if manifest != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(manifest, append(b, '\n'), 0o644)
	}
	return nil
}

func write(f pstwrite.Output, shape synth.Shape, seed uint64) (*synth.Result, error) {
	w, err := pstwrite.New(f, pstwrite.Options{DisplayName: fmt.Sprintf("pstgen %d", seed)})
	if err != nil {
		return nil, err
	}
	res, err := synth.Generate(w, shape, seed)
	if err != nil {
		w.Abort()
		return nil, err
	}
	return res, w.Close()
}
