package io.synod.core;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads compiled class files and lists every reference to something the protocol core must not touch: I/O, networking,
 * threads and executors, clocks, and unseeded randomness. It reads the constant pool, which holds every class, method
 * and field a class refers to, so nothing the code calls can hide from it.
 */
final class PurityScanner {
    private static final List<String> BANNED_PACKAGES = List.of(
            "java/io/", "java/nio/", "java/net/", "java/util/concurrent/", "java/util/logging/", "java/sql/");
    private static final List<String> BANNED_CLASSES = List.of(
            "java/lang/Thread", "java/lang/ThreadLocal", "java/lang/Runtime", "java/lang/ProcessBuilder",
            "java/lang/Process", "java/util/Random", "java/util/Timer", "java/time/Clock", "java/lang/ScopedValue");

    private PurityScanner() {}

    /** Every banned reference in the classes under {@code root}, as "Class -> target". */
    static List<String> violations(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (String reference : banned(in)) {
                        found.add(root.relativize(file) + " -> " + reference);
                    }
                }
            }
        }
        return found;
    }

    /** The banned references of one class file. */
    static List<String> banned(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] memberRefs = new int[count][];
        int[] nameAndTypeName = new int[count];
        int[] nameAndTypeDescriptor = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9, 10, 11 -> memberRefs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> {
                    nameAndTypeName[i] = in.readUnsignedShort();
                    nameAndTypeDescriptor[i] = in.readUnsignedShort();
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 17, 18 -> in.readInt();
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        List<String> found = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (classNameIndex[i] != 0) {
                String name = elementType(utf8[classNameIndex[i]]);
                if (isBannedClass(name)) {
                    found.add(name);
                }
            }
            if (memberRefs[i] != null) {
                String owner = elementType(utf8[classNameIndex[memberRefs[i][0]]]);
                String member = utf8[nameAndTypeName[memberRefs[i][1]]];
                String descriptor = utf8[nameAndTypeDescriptor[memberRefs[i][1]]];
                if (isBannedMember(owner, member, descriptor)) {
                    found.add(owner + "." + member + descriptor);
                }
            }
        }
        return found;
    }

    private static String elementType(String name) {
        String type = name.replaceFirst("^\\[+", "");
        return type.startsWith("L") && type.endsWith(";") ? type.substring(1, type.length() - 1) : type;
    }

    private static boolean isBannedClass(String name) {
        for (String prefix : BANNED_PACKAGES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return BANNED_CLASSES.contains(name);
    }

    private static boolean isBannedMember(String owner, String member, String descriptor) {
        return (owner.equals("java/lang/System") && (member.equals("currentTimeMillis") || member.equals("nanoTime")))
                || (owner.startsWith("java/time/") && member.equals("now"))
                || ((owner.equals("java/lang/Math") || owner.equals("java/lang/StrictMath")) && member.equals("random"))
                || (owner.equals("java/util/SplittableRandom") && member.equals("<init>") && descriptor.equals("()V"))
                || (owner.equals("java/util/random/RandomGenerator") && member.equals("getDefault"))
                || (owner.equals("java/util/random/RandomGeneratorFactory") && member.equals("create")
                        && descriptor.startsWith("()"));
    }
}
