package dev.kura.s3;

import java.util.regex.Pattern;

/**
 * General purpose bucket naming rules,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html.
 */
public final class BucketNames {
    private static final Pattern SHAPE = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private BucketNames() {
    }

    public static boolean isValid(String name) {
        return SHAPE.matcher(name).matches()
                && !name.contains("..") && !name.contains(".-") && !name.contains("-.")
                && !IP.matcher(name).matches()
                && !name.startsWith("xn--") && !name.startsWith("sthree-") && !name.startsWith("amzn-s3-demo-")
                && !name.endsWith("-s3alias") && !name.endsWith("--ol-s3") && !name.endsWith(".mrap")
                && !name.endsWith("--x-s3") && !name.endsWith("--table-s3");
    }

    /** @throws S3Exception InvalidBucketName */
    public static void check(String name) {
        if (!isValid(name)) {
            throw new S3Exception(S3ErrorCode.InvalidBucketName).with("BucketName", name);
        }
    }
}
