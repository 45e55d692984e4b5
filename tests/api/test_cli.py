"""The ggzy client's command table (cli/main.c): `ggzy --help` lists every command on stdout and
exits 0, `ggzy NOUN VERB --help` prints that command's usage, `--version` prints the version,
and an unknown command, an unknown option or a malformed id exits 2 with a hint on stderr —
all without a server. What each command does is tested where its capability is."""
import os
import re
import subprocess
import unittest

from harness import ROOT

GGZY = os.environ.get("GGZY_CLI") or os.path.join(ROOT, "build", "debug", "ggzy")


def ggzy(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_")}
    return subprocess.run([GGZY, *args], capture_output=True, text=True, env=env, timeout=30)


class CommandTableTest(unittest.TestCase):
    def commands(self):
        p = ggzy("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        return p, re.findall(r"^  ([a-z]+) ([a-z]+)\b", p.stdout, re.M)

    def test_help_lists_every_command_on_stdout_and_exits_0(self):
        p, cmds = self.commands()
        self.assertEqual(p.stderr, "")
        for want in [("audit", "verify"), ("audit", "replay"), ("bid", "seal"), ("bid", "withdraw"),
                     ("custodian", "share"), ("key", "register"), ("opening", "start"),
                     ("receipt", "verify"), ("envelope", "open")]:
            self.assertIn(want, cmds)
        self.assertIn("GGZY_SERVER", p.stdout)

    def test_each_command_prints_its_own_usage_with_help_and_exits_0(self):
        _, cmds = self.commands()
        self.assertGreaterEqual(len(cmds), 17)
        for noun, verb in cmds:
            p = ggzy(noun, verb, "--help")
            self.assertEqual(p.returncode, 0, (noun, verb, p.stderr))
            self.assertTrue(p.stdout.startswith("usage: ggzy %s %s" % (noun, verb)), p.stdout)
            self.assertEqual(len(re.findall(r"^usage:", p.stdout, re.M)), 1)

    def test_version_prints_the_version(self):
        p = ggzy("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^ggzy \d+\.\d+\.\d+\n$")

    def test_a_missing_option_prints_that_commands_usage_and_exits_2(self):
        p = ggzy("bid", "submit", "--project", "1")
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith("usage: ggzy bid submit --project ID"), p.stderr)
        self.assertEqual(p.stdout, "")

    def test_unknown_commands_and_options_exit_2_with_a_hint(self):
        for args, hint in [(["bid", "frob"], "the bid commands are: seal check submit list withdraw"),
                           (["frob"], "ggzy --help lists the commands"),
                           (["frob", "it"], "ggzy --help lists the commands"),
                           (["bid", "list", "--zap", "1"], "unknown option --zap"),
                           (["bid", "list", "--project", "1e3"], "--project takes a project id"),
                           (["bid", "list", "--lot", "-1"], "--lot takes a lot number"),
                           (["bid", "list", "--project"], "--project needs a value"),
                           ([], "usage: ggzy [--server URL]")]:
            p = ggzy(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(hint, p.stderr, args)
            self.assertEqual(p.stdout, "", args)


if __name__ == "__main__":
    unittest.main()
