package io.traverse;

/** Entry point of the Traverse server. */
public final class TraverseMain {
    private TraverseMain() {}

    public static void main(String[] args) {
        System.out.println("Traverse");
    }
}
