package io.traverse.cli;

/** Entry point of turn-cli. */
public final class TurnCli {
    private TurnCli() {}

    public static void main(String[] args) {
        System.out.println("turn-cli");
    }
}
