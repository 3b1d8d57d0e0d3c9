package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/dustin/go-humanize"
)

// printRegistration prints a registration for people (or JSON).
func printRegistration(e *env, reg *client.Registration) {
	if e.json {
		printJSON(e, reg)
		return
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "id:\t%s\n", reg.ID)
	fmt.Fprintf(tw, "uid:\t%s\n", reg.UID)
	if reg.Title != "" {
		fmt.Fprintf(tw, "title:\t%s\n", reg.Title)
	}
	fmt.Fprintf(tw, "state:\t%s\n", reg.State)
	fmt.Fprintf(tw, "downloaded:\t%s\n", progressText(reg))
	if reg.UploadTotal > 0 {
		fmt.Fprintf(tw, "uploaded:\t%s / %s\n", humanize.IBytes(uint64(reg.Uploaded)), humanize.IBytes(uint64(reg.UploadTotal)))
	}
	switch reg.Result {
	case "":
		fmt.Fprintf(tw, "result:\t(pending)\n")
	case "success":
		fmt.Fprintf(tw, "result:\tsuccess\n")
	default:
		fmt.Fprintf(tw, "result:\tfailure: %s (%s)\n", reasonInWords(string(reg.FailureReason)), reg.FailureReason)
	}
	fmt.Fprintf(tw, "records:\t%s\n", map[bool]string{true: "available", false: "released"}[reg.RecordsAvailable])
	if reg.Destination != "" {
		fmt.Fprintf(tw, "destination:\t%s\n", reg.Destination)
	}
	tw.Flush()
}

// progressText is "1.0 MiB / 60 MiB" (or just the bytes when no total is known).
func progressText(reg *client.Registration) string {
	total := reg.DownloadTotal
	if total == 0 {
		total = reg.KnownTotal
	}
	if total <= 0 {
		return humanize.IBytes(uint64(reg.Downloaded))
	}
	return fmt.Sprintf("%s / %s", humanize.IBytes(uint64(reg.Downloaded)), humanize.IBytes(uint64(total)))
}

// printRecords prints records as a table (or JSON).
func printRecords(e *env, recs []client.Record) {
	if e.json {
		printJSON(e, map[string]any{"records": recs})
		return
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tSTATE\tSTATUS\tSIZE\tURL\tPATH")
	for _, r := range recs {
		writeRecordRow(tw, r)
	}
	tw.Flush()
}

func writeRecordRow(w io.Writer, r client.Record) {
	status, size, path := "-", humanize.IBytes(uint64(r.Downloaded)), "-"
	if r.Response != nil {
		status = fmt.Sprint(r.Response.Status)
		if r.Response.Path != "" {
			path = r.Response.Path
		}
	}
	state := string(r.State)
	if r.Error != "" {
		state += " (" + r.Error + ")"
	}
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Index, state, status, size, r.Request.URL, path)
}
