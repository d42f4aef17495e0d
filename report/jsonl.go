package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// jsonlWriter writes `--format jsonl` (the README's output contract): one FILE object per
// line, the same object as an entry of the JSON report's "files", compact
// and with no summary line, for long runs and log shippers. As a Writer it
// writes the run's files in order; as a StreamWriter it writes each file
// as it finishes.
type jsonlWriter struct{}

func (j jsonlWriter) Write(w io.Writer, run Run) error {
	for _, r := range run.reports() {
		if err := j.WriteFile(w, run.Version, r); err != nil {
			return err
		}
	}
	return nil
}

// WriteFile writes r's FILE object and a newline in a single Write call,
// so that lines from concurrent callers sharing an O_APPEND file or a pipe
// are not interleaved (callers sharing an io.Writer must still serialize
// their calls). The version is not part of a FILE object and is not
// written.
func (jsonlWriter) WriteFile(w io.Writer, _ string, r *pstcheck.Report) error {
	if r == nil {
		return errors.New("report: WriteFile of a nil report")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the JSON writer: keep & < > readable
	if err := enc.Encode(newJSONFile(r)); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
