package pstcheck

import "github.com/pstcheck/pstcheck/pstcheck/ndb"

// judge sets the verdict, action, cause and advice. Placeholder until the
// advice rules are written.
func judge(rep *Report, res *ndb.Result) {
	switch {
	case res == nil && rep.Has("FILE-READ"):
		rep.Verdict = Failed
	case res == nil:
		rep.Verdict = Unreadable
		rep.Action = ActionRestore
	case rep.Count("error") > 0:
		rep.Verdict = Damaged
		rep.Action = ActionScanpst
	default:
		rep.Verdict = Healthy
		rep.Action = ActionNone
	}
}
