package org.m3vit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.io.ImageFiles;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven
 * by Selenium; nothing is downloaded): pick tasks, upload an image, and the page shows the input and one
 * prediction per chosen task, which are the server's own PNGs, with the latency.
 */
class WebPageBrowserTest {

    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** The real binary; /usr/bin/chromium is a wrapper script around it. */
    static final List<Path> BROWSERS = List.of(Path.of("/usr/lib/chromium/chromium"), Path.of("/usr/bin/chromium"));

    @TempDir
    Path dir;

    @Test
    void uploadingAnImageShowsEachChosenTasksPrediction() throws Exception {
        Path browser = BROWSERS.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (browser == null || !Files.isExecutable(DRIVER)) {
            String why = "no chromium/chromedriver (apt-get install chromium chromium-driver)";
            if (System.getenv("CI") != null) {
                fail(why + ": .ci/run installs them, so in CI this test must run");
            }
            Assumptions.abort("skipped: " + why);
        }
        Path w = ServeTestSupport.tinyArtifact(dir);
        byte[] rgb = new byte[48 * 80 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) ((i / 3 % 80) * 3 + (i % 3) * 40);
        }
        Path png = dir.resolve("upload.png");
        Files.write(png, ImageFiles.rgbPng(48, 80, rgb));

        try (InferenceServer server =
                InferenceServer.start(ServerSettings.defaults(), List.of(ModelSpec.weights("tiny", w, null)))) {
            server.loaded().get();
            URI base = server.uri();
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(browser.toFile());
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1400,900",
                    "--user-data-dir=" + dir.resolve("profile"));
            ChromeDriver d = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(60));
                d.get(base + "/");
                wait.until(x -> d.findElements(By.cssSelector("input.task")).size() == 5);
                assertEquals("tiny", d.findElement(By.id("model")).getAttribute("value"));
                // Choose three of the five tasks.
                for (WebElement box : d.findElements(By.cssSelector("input.task"))) {
                    String task = box.getAttribute("value");
                    if (task.equals("human_parts") || task.equals("edge")) {
                        box.click();
                    }
                }
                d.findElement(By.id("file")).sendKeys(png.toAbsolutePath().toString());
                wait.until(x -> d.findElement(By.id("latency")).getText().startsWith("latency "));
                assertEquals("", d.findElement(By.id("error")).getText());
                List<WebElement> figures = d.findElements(By.cssSelector("figure.prediction"));
                List<String> shown = new ArrayList<>();
                figures.forEach(f -> shown.add(f.getAttribute("data-task")));
                assertEquals(List.of("semseg", "sal", "normals"), shown);
                assertTrue(
                        d.findElement(By.id("latency")).getText().matches("latency \\d+ ms \\(3 tasks\\)"),
                        d.findElement(By.id("latency")).getText());

                JavascriptExecutor js = d;
                WebElement input = d.findElement(By.id("input-image"));
                wait.until(x -> (Boolean) js.executeScript("return arguments[0].complete", input));
                assertEquals(80L, js.executeScript("return arguments[0].naturalWidth", input), "the input is shown");

                // Each picture is the PNG the server gives for this image and task.
                JsonNode direct = ServeTestSupport.json(ServeTestSupport.post(
                        base,
                        "/v2/models/tiny/infer",
                        InferBody.images(
                                List.of(Files.readAllBytes(png)), List.of("semseg", "sal", "normals"), true, false)));
                for (int i = 0; i < figures.size(); i++) {
                    WebElement img = figures.get(i).findElement(By.tagName("img"));
                    assertEquals(64L, js.executeScript("return arguments[0].naturalWidth", img), shown.get(i));
                    String src = img.getAttribute("src");
                    assertEquals(
                            "data:image/png;base64,"
                                    + direct.get("outputs")
                                            .get(i)
                                            .get("data")
                                            .get(0)
                                            .asText(),
                            src,
                            shown.get(i) + ": the page shows the server's PNG");
                }
                File shot = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE);
                Files.copy(
                        shot.toPath(),
                        Path.of("target", "serve-page.png"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                d.quit();
            }
        }
    }
}
