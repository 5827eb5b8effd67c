// composecheck loads a Compose file with compose-go, the parser Docker Compose itself uses:
// the schema, interpolation and references (services, volumes, depends_on) are checked as
// `docker compose config` checks them, with no engine. It prints the services it found, or the
// error, and exits non-zero on an error.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck docker-compose.yml")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		[]string{os.Args[1]},
		cli.WithOsEnv,
		cli.WithName("composecheck"),
		cli.WithConsistency(true),
	)
	if err == nil {
		var project interface{ ServiceNames() []string }
		project, err = cli.ProjectFromOptions(context.Background(), options)
		if err == nil {
			fmt.Println(project.ServiceNames())
			return
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
